import { describe, expect, it } from 'vitest';
import { parseAgentConfig, withFlags } from '../../agent/src/config/index.js';
import { portName, workerPart } from '../../agent/src/serial/serial-service.js';

describe('serial config and flags', () => {
  it('defaults: no ports, account serial, 115200 baud, inventory every 10 s', () => {
    const r = parseAgentConfig({});
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.serial).toMatchObject({
      ports: [],
      account: 'serial',
      baud: 115200,
      inventorySeconds: 10,
      hostMiners: [],
    });
  });

  it('--serial adds ports after the file’s, --serial-account sets the account', () => {
    const raw = { serial: { ports: [{ path: '/dev/ttyUSB0', name: 'erupter1' }] } };
    const r = parseAgentConfig(
      withFlags(raw, { serial: ['/dev/pts/3', '/dev/ttyACM0'], serialAccount: 'home' }),
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.serial.account).toBe('home');
    expect(r.value.serial.ports.map((p) => [p.path, p.name, p.difficulty])).toEqual([
      ['/dev/ttyUSB0', 'erupter1', 1],
      ['/dev/pts/3', undefined, 1],
      ['/dev/ttyACM0', undefined, 1],
    ]);
  });

  it('refuses bad USB ids and worker names with the path of the field', () => {
    const badId = parseAgentConfig({
      serial: { hostMiners: [{ name: 'x', command: 'cgminer', usbIds: ['0403-6015'] }] },
    });
    expect(badId).toMatchObject({ ok: false, error: { code: 'CONFIG_INVALID' } });
    if (!badId.ok) expect(badId.error.message).toMatch(/serial\.hostMiners\.0\.usbIds\.0/);
    const badName = parseAgentConfig({ serial: { ports: [{ path: '/dev/ttyUSB0', name: 'a.b' }] } });
    expect(badName.ok).toBe(false);
  });

  it('names workers after the port: ttyUSB0, pts-3, or the file name', () => {
    expect(portName('/dev/ttyUSB0')).toBe('ttyUSB0');
    expect(portName('/dev/pts/3')).toBe('pts-3');
    expect(portName('/tmp/sim/ttyICA0')).toBe('ttyICA0');
    expect(workerPart('BE 00:42')).toBe('BE-00-42');
  });
});
