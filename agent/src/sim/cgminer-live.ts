import type { Fields } from './cgminer-format.js';
import type { SimMiner } from './sim-miner.js';
import type { telemetryAt } from './telemetry.js';

// Live values shared by the cgminer dialects: hashrate windows from accepted work, share counters.

export type T = ReturnType<typeof telemetryAt>;

export const r2 = (x: number) => Math.round(x * 100) / 100;

export interface Live {
  readonly now: number;
  readonly elapsed: number;
  readonly mhs5s: number;
  readonly mhs1m: number;
  readonly mhs5m: number;
  readonly mhs15m: number;
  readonly mhsAv: number;
  readonly mining: boolean;
}

export function live(m: SimMiner, now: number): Live {
  const mhs = (w: number) => m.stats.hashrate(w, now) / 1e6;
  return {
    now,
    elapsed: Math.floor((now - m.bootedAt) / 1000),
    mhs5s: mhs(5_000),
    mhs1m: mhs(60_000),
    mhs5m: mhs(300_000),
    mhs15m: mhs(900_000),
    mhsAv: m.stats.hashrateAverage(now) / 1e6,
    mining: m.activePool >= 0,
  };
}

export function sharesCommon(m: SimMiner): Fields {
  const s = m.stats;
  const total = s.difficultyAccepted + s.difficultyRejected;
  return {
    Accepted: s.accepted,
    Rejected: s.rejected,
    'Hardware Errors': s.hardwareErrors,
    'Difficulty Accepted': s.difficultyAccepted,
    'Difficulty Rejected': s.difficultyRejected,
    'Difficulty Stale': 0,
    'Best Share': Math.floor(s.bestShare),
    'Pool Rejected%': total > 0 ? r2((100 * s.difficultyRejected) / total) : 0,
    'Pool Stale%': 0,
  };
}

/** The counter run that bmminer, btminer and Avalon SUMMARY share, in their order (bosminer sorts its keys). */
export function summaryCounters(m: SimMiner, l: Live): Fields {
  return {
    'Found Blocks': 0,
    Getworks: 0,
    ...sharesCommon(m),
    Utility: 0,
    Discarded: 0,
    Stale: 0,
    'Get Failures': 0,
    'Local Work': 0,
    'Remote Failures': 0,
    'Network Blocks': 0,
    'Total MH': r2(l.mhsAv * l.elapsed),
    'Work Utility': 0,
  };
}

/** One board's part of the hashrate with zeroed counters, as bmminer and btminer list DEVS. */
export function boardDevFields(m: SimMiner, l: Live): Fields {
  return {
    'MHS av': r2(l.mhsAv / m.profile.boards),
    'MHS 5s': r2(l.mhs5s / m.profile.boards),
    Accepted: 0,
    Rejected: 0,
    'Hardware Errors': 0,
    'Device Elapsed': l.elapsed,
  };
}

export function mhsFields(l: Live, five = 'MHS 5s'): Fields {
  return {
    'MHS av': r2(l.mhsAv),
    [five]: r2(l.mhs5s),
    'MHS 1m': r2(l.mhs1m),
    'MHS 5m': r2(l.mhs5m),
    'MHS 15m': r2(l.mhs15m),
  };
}
