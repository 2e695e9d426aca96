import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../agent/src/config/index.js';
import { DiscoveryService, type DeviceView } from '../../../agent/src/discovery/discovery-service.js';
import { startFarm, type FarmMiner } from '../../../agent/src/sim/index.js';
import { telemetryAt } from '../../../agent/src/sim/telemetry.js';
import { ShareStore } from '../../../agent/src/store/index.js';
import { startStratumEndpoint } from '../../support/stratum-endpoint.js';

// The agent-side discovery service against the simulated farm: every make identified, the status it
// stores matches what the simulated device reports, IP reports and mDNS land in the inventory.

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function service(
  discovery: Record<string, unknown>,
): Promise<{ svc: DiscoveryService; store: ShareStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-discovery-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'agent.sqlite');
  const opened = ShareStore.open(path);
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  cleanups.push(() => store.close());
  const cfg = parseAgentConfig({ dataDir: dir, discovery: { pollIntervalSeconds: 0, ...discovery } });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const svc = DiscoveryService.open({
    config: cfg.value.discovery,
    inventory: store.inventory,
    dbPath: path,
    stratumPort: 3999,
    stratumHost: '127.0.0.1',
    log,
  });
  if (!svc.ok) throw new Error(svc.error.message);
  cleanups.push(() => svc.value.stop());
  await svc.value.start();
  return { svc: svc.value, store };
}

async function farmOf(miners: number, extra: Partial<Parameters<typeof startFarm>[0]> = {}) {
  const pool = await startStratumEndpoint({ difficulty: 1 / 65536 });
  cleanups.push(() => pool.close());
  const base = 20_000 + Math.floor(Math.random() * 30_000);
  const farm = await startFarm({
    miners,
    pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
    account: 'ds',
    hashrate: 400_000,
    perMinerAddress: true,
    apiBasePort: base,
    ...extra,
  });
  cleanups.push(() => farm.stop());
  return { farm, base, pool };
}

const IDENTITY = {
  antminer: { make: 'antminer', firmware: 'stock', profileId: 'antminer-stock' },
  braiins: { make: 'antminer', firmware: 'braiins', profileId: 'braiins-os' },
  whatsminer: { make: 'whatsminer', firmware: 'stock', profileId: 'whatsminer-btminer-v2' },
  avalon: { make: 'avalon', firmware: 'stock', profileId: 'avalon' },
  bitaxe: { make: 'bitaxe', firmware: 'axeos', profileId: 'axeos' },
} as const;

function checkAgainstSim(d: DeviceView, m: FarmMiner): void {
  const who = `${m.name} at ${m.host}`;
  expect(d, who).toMatchObject(IDENTITY[m.make]);
  // The model as the device reports it, make prefix trimmed ("Antminer S9" → "S9", "AvalonMiner 15-194" → "15-194").
  expect(d.model?.length, who).toBeGreaterThan(1);
  expect(m.sim.profile.model, who).toContain(d.model);
  expect(d.pools[0], who).toMatchObject({ url: m.sim.pools[0]!.url, user: m.worker });
  expect(d.fans.length, who).toBe(m.sim.profile.fans);
  const t = telemetryAt(m.sim.profile, m.sim.seed, Date.now(), true);
  // Fans and temperatures drift on the simulator's clock: a reading a moment old is within a few units.
  d.fans.forEach((rpm, i) => expect(Math.abs(rpm - t.fansRpm[i]!), `${who} fan ${i}`).toBeLessThan(250));
  expect(d.boards.length, who).toBe(m.sim.profile.boards);
  for (const b of d.boards) {
    if (b.tempC === undefined) continue;
    const near = t.boards.some((x) => Math.abs(x.chip - b.tempC!) < 4 || Math.abs(x.board - b.tempC!) < 4);
    expect(near, `${who} board ${b.index} temp ${b.tempC}`).toBe(true);
  }
  expect(typeof d.hashrateThs, who).toBe('number');
}

describe('discovery service', () => {
  it('scans the configured range: each make identified, its status as the simulator reports it', async () => {
    const { farm, base, pool } = await farmOf(5);
    await pool.until(() => farm.miners.every((m) => m.stats.accepted >= 1), 20_000);
    const { svc } = await service({
      ranges: ['127.1.0.1-127.1.0.8'],
      portMap: { '4028': base, '80': base + 1 },
      ipReport: { enabled: false },
      mdns: { enabled: false },
    });
    expect(svc.startScan(['127.2.0.0/24']).ok).toBe(false); // outside the configured ranges
    const started = svc.startScan([]);
    expect(started.ok).toBe(true);
    expect(svc.state().running).toBe(true);
    await svc.scanFinished();
    const state = svc.state();
    expect(state).toMatchObject({ running: false, done: 8, total: 8, found: 5 });
    const devices = svc.devices();
    expect(devices.map((d) => d.ip)).toEqual(farm.miners.map((m) => m.host));
    for (const m of farm.miners)
      checkAgainstSim(
        devices.find((d) => d.ip === m.host)!,
        m,
      );
    // MACs where the device API reports one (Antminer system info, AxeOS, Whatsminer, Avalon).
    for (const make of ['antminer', 'bitaxe', 'whatsminer', 'avalon'] as const) {
      const m = farm.miners.find((x) => x.make === make)!;
      expect(devices.find((d) => d.ip === m.host)!.mac, make).toBe(m.mac);
    }
    expect(devices.every((d) => !d.adopted)).toBe(true);
    // A poll reads them again and keeps first-seen.
    const first = devices[0]!;
    await new Promise((r) => setTimeout(r, 20));
    await svc.pollNow();
    const again = svc.devices()[0]!;
    expect(again.firstSeen).toBe(first.firstSeen);
    expect(again.lastSeen).toBeGreaterThan(first.lastSeen);
  });

  it('a scan interval scans the configured ranges on its own; polling refreshes the status', async () => {
    const { farm, base } = await farmOf(2, { makes: ['avalon', 'bitaxe'] });
    const { svc } = await service({
      ranges: ['127.1.0.1-2'],
      scanIntervalSeconds: 3600,
      pollIntervalSeconds: 1,
      portMap: { '4028': base, '80': base + 1 },
      ipReport: { enabled: false },
      mdns: { enabled: false },
    });
    await until(() => svc.devices().length === 2, 'the scheduled scan to fill the inventory');
    expect(svc.state().ranges).toEqual(['127.1.0.1-2']);
    const seen = svc.devices()[0]!.lastSeen;
    await until(() => svc.devices()[0]!.lastSeen > seen, 'a scheduled poll', 5_000);
    expect(svc.devices().map((d) => d.make)).toEqual(farm.miners.map((m) => m.make));
  });

  it('an IP report puts the miner in the inventory with its MAC, identified', async () => {
    const { farm, base } = await farmOf(3, { makes: ['antminer', 'whatsminer'] });
    const { svc } = await service({
      portMap: { '4028': base, '80': base + 1 },
      ipReport: { antminerPort: 0, whatsminerPort: 0 },
      mdns: { enabled: false },
    });
    const [antPort, wmPort] = svc.ipReportPorts;
    expect(antPort).toBeGreaterThan(0);
    const ant = farm.miners.find((m) => m.make === 'antminer')!;
    const wm = farm.miners.find((m) => m.make === 'whatsminer')!;
    expect((await farm.pressIpReport(ant.name, { host: '127.0.0.1', port: antPort! })).ok).toBe(true);
    expect((await farm.pressIpReport(wm.name, { host: '127.0.0.1', port: wmPort! })).ok).toBe(true);
    await until(
      () => svc.devices().filter((d) => d.profileId !== null).length === 2,
      'two identified devices',
    );
    const devices = svc.devices();
    expect(devices.find((d) => d.ip === ant.host)).toMatchObject({
      mac: ant.mac,
      make: 'antminer',
      firmware: 'stock',
    });
    expect(devices.find((d) => d.ip === wm.host)).toMatchObject({ mac: wm.mac, make: 'whatsminer' });
  });

  it('mDNS browse finds the simulated AxeOS device on loopback and identifies it', async () => {
    const { farm } = await farmOf(2, {
      makes: ['bitaxe', 'antminer'],
      perMinerAddress: false,
      apiBasePort: 0,
      mdns: { port: 0, host: '127.0.0.1' },
    });
    const { svc } = await service({
      ipReport: { enabled: false },
      mdns: { browseTargetPort: farm.mdnsPort!, browseIntervalSeconds: 0 },
    });
    const found = await svc.browseNow();
    expect(found.map((d) => d.txt.family)).toEqual(['Gamma']);
    const bitaxe = farm.miners.find((m) => m.make === 'bitaxe')!;
    const d = svc.devices();
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ ip: bitaxe.host, make: 'bitaxe', firmware: 'axeos', mac: bitaxe.mac });
    expect(d[0]!.pools[0]?.user).toBe(bitaxe.worker);
  });
});
