import { describe, expect, it } from 'vitest';
import type { MinerRow } from '@farmhand/core/control-api';
import { withInventoryFacts } from '../../agent/src/control/inventory-facts.js';
import type { DeviceView } from '../../agent/src/discovery/discovery-service.js';

const row = (ip: string, worker: string): MinerRow => ({
  id: worker,
  worker,
  ip,
  make: null,
  model: null,
  firmware: null,
  hashrate: 1e12,
  expectedHashrate: null,
  temps: [],
  fans: [],
  accepted: 3,
  rejected: 0,
  difficulty: 1024,
  lastShareAt: 1,
  status: 'up',
  userAgent: 'bmminer/2.0.0',
});

const device = (ip: string, adopted: boolean): DeviceView => ({
  ip,
  mac: null,
  make: 'antminer',
  model: 'S19',
  firmware: 'stock',
  firmwareVersion: null,
  serial: null,
  hashrateThs: 95,
  adopted,
  firstSeen: 0,
  lastSeen: 0,
  boards: [{ index: 0, tempC: 61 }, { index: 1, tempC: 63 }, { index: 2 }],
  fans: [4800, 4920],
  pools: [],
  uptimeS: 100,
  profileId: 'antminer-stock',
});

describe('miner rows joined to the inventory', () => {
  it('adds the device facts by address, lists adopted devices without a session as down', () => {
    const out = withInventoryFacts(
      [row('10.0.0.5', 'farm.a'), row('10.0.0.9', 'farm.b')],
      [device('10.0.0.5', true), device('10.0.0.7', true), device('10.0.0.8', false)],
    );
    expect(out[0]).toMatchObject({
      make: 'antminer',
      model: 'S19',
      expectedHashrate: 95e12,
      temps: [61, 63],
      fans: [4800, 4920],
      status: 'up',
      accepted: 3,
    });
    expect(out[1]).toMatchObject({ worker: 'farm.b', make: null, temps: [] });
    expect(out.slice(2)).toEqual([
      expect.objectContaining({ id: '10.0.0.7', ip: '10.0.0.7', status: 'down', hashrate: 0, worker: '' }),
    ]);
  });

  it('does not guess when two devices share an address', () => {
    const out = withInventoryFacts(
      [row('127.0.0.1', 'farm.a')],
      [device('127.0.0.1', true), device('127.0.0.1', true)],
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.make).toBeNull();
  });
});
