import { fail, ok, type Result } from '@farmhand/core';
import { startDeviceApis, type DeviceApis } from './device-apis.js';
import type { Fault } from './faults.js';
import { Hasher } from './hasher.js';
import { sendIpReport } from './ip-report.js';
import { MAKES, MAKE_NAMES, type MakeName } from './makes.js';
import { startMdnsResponder, type MdnsResponder } from './mdns-responder.js';
import { parsePoolSpec, type PoolConfig } from './pool-url.js';
import { SimMiner, type MinerSnapshot } from './sim-miner.js';
import { TimerWheel } from './timer-wheel.js';

// A simulated farm: N miners of mixed makes in one process, each with its own Stratum client,
// device APIs on their own loopback ports, one mDNS responder for the AxeOS devices.

export interface FarmOptions {
  readonly miners: number;
  /** stratum+tcp://[user[:pass]@]host:port, in failover order. */
  readonly pools: readonly string[];
  /** Account part of worker names (<account>.<make>-<n>); default: the first pool's user, else "farm". */
  readonly account?: string;
  /** Makes handed out round-robin; default all five. */
  readonly makes?: readonly MakeName[];
  /** Simulated hashes per second per miner. Default 50,000. */
  readonly hashrate?: number;
  /** Address the device APIs listen on. Default 127.0.0.1. */
  readonly apiHost?: string;
  /** Give each miner its own loopback address 127.1.x.y; all use apiBasePort (default 4028) and +1 for HTTP. */
  readonly perMinerAddress?: boolean;
  /** First device-API port; 0 or absent: ephemeral ports. */
  readonly apiBasePort?: number;
  /** Serve device APIs at all (a 5,000-miner load test may switch them off). Default true. */
  readonly apis?: boolean;
  /** One mDNS responder for the AxeOS devices; unicast answers on loopback only. */
  readonly mdns?: { readonly port: number; readonly host: '127.0.0.1' };
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  /** "Restart to apply" delay after a pool change through a device API. Default 1,000 ms. */
  readonly restartMs?: number;
  /** Hashes one share search may spend before giving up. Default 2^23. */
  readonly maxSearchHashes?: number;
  /** Spread miner power-up over this many ms (thousands of miners connecting at once is a storm). */
  readonly rampMs?: number;
  /** Difficulty AxeOS suggests after authorize. Default 1000 (its factory setting). */
  readonly suggestDifficulty?: number;
}

export interface FarmMiner {
  readonly name: string;
  readonly make: MakeName;
  readonly worker: string;
  readonly host: string;
  readonly mac: string;
  /** cgminer-style TCP API port, or null for makes without one (Bitaxe) or with APIs off. */
  readonly apiPort: number | null;
  /** HTTP port (AxeOS REST, Antminer CGI), or null. */
  readonly httpPort: number | null;
  readonly stats: MinerSnapshot;
  readonly sim: SimMiner;
}

export interface Farm {
  readonly miners: readonly FarmMiner[];
  readonly mdnsPort: number | null;
  readonly hasher: Hasher;
  miner(name: string): FarmMiner | undefined;
  setFault(target: string | 'all', fault: Fault): number;
  /** The IP-report button: sends the make's UDP payload to host:port (loopback only). */
  pressIpReport(
    name: string,
    to: { host: string; port: number },
  ): Promise<Result<string, 'NO_IP_REPORT' | 'NO_SUCH_MINER' | 'NOT_LOOPBACK'>>;
  totals(): { accepted: number; rejected: number; connected: number; hashrate: number };
  stop(): Promise<void>;
}

export type FarmErrorCode = 'BAD_POOL_URL' | 'BAD_OPTIONS';

function macFor(prefix: string, i: number): string {
  const b = [(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((x) =>
    x.toString(16).padStart(2, '0').toUpperCase(),
  );
  return `${prefix}:${b.join(':')}`;
}

/** Checks options that come from a user (CLI flags) before startFarm. */
export function checkFarmOptions(opts: FarmOptions): Result<void, FarmErrorCode> {
  if (!Number.isInteger(opts.miners) || opts.miners < 1)
    return fail('BAD_OPTIONS', 'miners must be a positive integer');
  if (opts.pools.length === 0) return fail('BAD_OPTIONS', 'at least one --pool is needed');
  if (opts.hashrate !== undefined && !(opts.hashrate >= 0))
    return fail('BAD_OPTIONS', 'hashrate must be a number ≥ 0');
  for (const p of opts.pools) {
    const r = parsePoolSpec(p);
    if (!r.ok) return r;
  }
  return ok(undefined);
}

/** Starts the farm. Options are the caller's responsibility (checkFarmOptions for user input). */
export async function startFarm(opts: FarmOptions): Promise<Farm> {
  const checked = checkFarmOptions(opts);
  if (!checked.ok) throw new RangeError(checked.error.message);
  const specs = opts.pools.map((p) => {
    const r = parsePoolSpec(p);
    if (!r.ok) throw new RangeError(r.error.message);
    return r.value;
  });
  const makes = opts.makes && opts.makes.length > 0 ? opts.makes : MAKE_NAMES;
  const account = opts.account ?? specs[0]?.user ?? 'farm';
  const wheel = new TimerWheel();
  const hasher = new Hasher();
  const counts = new Map<MakeName, number>();
  const entries: { sim: SimMiner; apis: DeviceApis | null }[] = [];
  const apisOn = opts.apis !== false;
  let nextPort = opts.apiBasePort ?? 0;
  // With an address per miner every miner uses the same two ports (cgminer, then HTTP), as a real
  // farm does with 4028 and 80; otherwise miners take consecutive ports (or ephemeral ones).
  const shared = opts.apiBasePort ?? 4028;
  const takePort = (kind: 'api' | 'http'): number =>
    opts.perMinerAddress ? (kind === 'api' ? shared : shared + 1) : nextPort === 0 ? 0 : nextPort++;

  for (let i = 0; i < opts.miners; i++) {
    const make = makes[i % makes.length]!;
    const n = (counts.get(make) ?? 0) + 1;
    counts.set(make, n);
    const profile = MAKES[make];
    const name = `${make}-${n}`;
    const worker = `${account}.${name}`;
    const pools: PoolConfig[] = specs.map((s) => ({
      url: s.url,
      user:
        s.user !== undefined && opts.account === undefined && s.user !== account
          ? `${s.user}.${name}`
          : worker,
      password: s.password ?? 'x',
    }));
    const host = opts.perMinerAddress
      ? `127.1.${(i >> 8) & 0xff}.${(i & 0xff) + 1}`
      : (opts.apiHost ?? '127.0.0.1');
    const sim = new SimMiner({
      name,
      profile,
      worker,
      pools,
      hashrate: opts.hashrate ?? 50_000,
      host,
      mac: macFor(profile.macPrefix, i + 1),
      seed: i * 7.31,
      wheel,
      hasher,
      backoffMinMs: opts.backoffMinMs ?? 1000,
      backoffMaxMs: opts.backoffMaxMs ?? 30_000,
      maxSearchHashes: opts.maxSearchHashes ?? 2 ** 23,
      restartMs: opts.restartMs ?? 1000,
      suggestDifficulty: opts.suggestDifficulty ?? 1000,
    });
    let apis: DeviceApis | null = null;
    if (apisOn) {
      const apiPort = profile.cgminer ? takePort('api') : null;
      const httpPort = profile.http ? takePort('http') : null;
      apis = await startDeviceApis(sim, { host, apiPort, httpPort, restartMs: opts.restartMs ?? 1000 });
    }
    entries.push({ sim, apis });
  }

  let mdns: MdnsResponder | null = null;
  if (opts.mdns) {
    mdns = await startMdnsResponder({
      port: opts.mdns.port,
      host: opts.mdns.host,
      devices: entries
        .filter((e) => e.sim.profile.mdns && e.apis?.httpPort)
        .map((e) => ({ miner: e.sim, httpPort: e.apis!.httpPort! })),
    });
  }

  const ramp = opts.rampMs ?? 0;
  entries.forEach((e, i) => {
    if (ramp <= 0) e.sim.start();
    else wheel.after((ramp * i) / entries.length, () => e.sim.start());
  });

  const miners: FarmMiner[] = entries.map(({ sim, apis }) => ({
    name: sim.name,
    make: sim.make,
    worker: sim.worker,
    host: sim.host,
    mac: sim.mac,
    apiPort: apis?.apiPort ?? null,
    httpPort: apis?.httpPort ?? null,
    get stats() {
      return sim.snapshot;
    },
    sim,
  }));
  const byName = new Map(miners.map((m) => [m.name, m]));

  const farm: Farm = {
    miners,
    mdnsPort: mdns?.port ?? null,
    hasher,
    miner: (name) => byName.get(name),
    setFault(target, fault) {
      const list = target === 'all' ? miners : miners.filter((m) => m.name === target);
      for (const m of list) m.sim.setFault(fault);
      return list.length;
    },
    async pressIpReport(name, to) {
      const m = byName.get(name);
      if (!m) return fail('NO_SUCH_MINER', `no simulated miner named ${name}`);
      const r = m.sim.profile.ipReport;
      if (!r) return fail('NO_IP_REPORT', `${m.make} has no IP-report button`);
      if (!to.host.startsWith('127.')) return fail('NOT_LOOPBACK', 'the simulator only sends to 127.0.0.0/8');
      const payload = await sendIpReport(r.format, { ip: m.host, mac: m.mac }, to);
      return ok(payload);
    },
    totals() {
      let accepted = 0;
      let rejected = 0;
      let connected = 0;
      let hashrate = 0;
      for (const m of miners) {
        accepted += m.sim.stats.accepted;
        rejected += m.sim.stats.rejected;
        if (m.sim.activePool >= 0) connected++;
        hashrate += m.sim.stats.hashrate(60_000);
      }
      return { accepted, rejected, connected, hashrate };
    },
    async stop() {
      for (const e of entries) e.sim.stop();
      wheel.stop();
      hasher.stop();
      await Promise.all(entries.map((e) => e.apis?.close()));
      await mdns?.close();
    },
  };
  return farm;
}
