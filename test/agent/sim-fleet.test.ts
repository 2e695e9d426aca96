import { describe, expect, it } from 'vitest';
import { readMiner } from '../../agent/src/fleet/miner-reader.js';
import { loadProfiles } from '../../agent/src/fleet/profiles.js';
import { simHarness } from './sim-harness.js';

// The reading side (agent/src/fleet) against the simulated farm: each simulated make is identified
// by the real firmware profiles and its status read back, pools included.

const { endpoint, startFarm } = simHarness();

describe('fleet reader against the simulated farm', () => {
  it('identifies every make and reads its pools', async () => {
    const pool = await endpoint();
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const farm = await startFarm({
      miners: 5,
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      account: 'rd',
      hashrate: 400_000,
      perMinerAddress: true,
      apiBasePort: base,
    });
    await pool.until(() => farm.miners.every((m) => m.stats.accepted >= 1), 20_000);
    const profiles = loadProfiles();
    if (!profiles.ok) throw new Error(profiles.error.message);
    const expected = {
      antminer: 'antminer-stock',
      braiins: 'braiins-os',
      whatsminer: 'whatsminer-btminer-v2',
      avalon: 'avalon',
      bitaxe: 'axeos',
    };
    for (const m of farm.miners) {
      const r = await readMiner(m.host, { profiles: profiles.value, portMap: { 4028: base, 80: base + 1 } });
      if (!r.ok) throw new Error(`${m.name}: ${r.error.message}`);
      expect(r.value.profileId, m.name).toBe(expected[m.make]);
      expect(r.value.pools[0], m.name).toMatchObject({
        url: `stratum+tcp://127.0.0.1:${pool.port}`,
        user: m.worker,
      });
      expect(typeof r.value.hashrateThs, m.name).toBe('number');
      expect(r.value.fans.length, m.name).toBeGreaterThan(0);
    }
  });
});
