// Counters a simulated miner keeps, the way cgminer-family firmware keeps them: per pool and in
// total, with hashrate derived from the real work accepted (difficulty × 2^32 hashes per share).

const TWO32 = 4294967296;
const WINDOW_MS = 15 * 60_000;

export interface PoolCounters {
  accepted: number;
  rejected: number;
  stale: number;
  difficultyAccepted: number;
  difficultyRejected: number;
  difficultyStale: number;
  lastShareTime: number;
  lastShareDifficulty: number;
  getworks: number;
  bestShare: number;
}

export function newPoolCounters(): PoolCounters {
  return {
    accepted: 0,
    rejected: 0,
    stale: 0,
    difficultyAccepted: 0,
    difficultyRejected: 0,
    difficultyStale: 0,
    lastShareTime: 0,
    lastShareDifficulty: 0,
    getworks: 0,
    bestShare: 0,
  };
}

export class MinerStats {
  accepted = 0;
  rejected = 0;
  difficultyAccepted = 0;
  difficultyRejected = 0;
  hardwareErrors = 0;
  /** Share events whose real search ran out of budget (difficulty too high for CPU work). */
  searchesGivenUp = 0;
  bestShare = 0;
  lastShareTime = 0;
  readonly rejectCodes = new Map<number, number>();
  /** (time ms, difficulty) of accepted shares within the last 15 minutes. */
  readonly #work: [number, number][] = [];
  readonly startedAt: number;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  recordAccepted(difficulty: number, shareDifficulty: number, now = Date.now()): void {
    this.accepted++;
    this.difficultyAccepted += difficulty;
    this.bestShare = Math.max(this.bestShare, shareDifficulty);
    this.lastShareTime = now;
    this.#work.push([now, difficulty]);
    this.#trim(now);
  }

  recordRejected(difficulty: number, code: number, now = Date.now()): void {
    this.rejected++;
    this.difficultyRejected += difficulty;
    this.lastShareTime = now;
    this.rejectCodes.set(code, (this.rejectCodes.get(code) ?? 0) + 1);
  }

  /** Hashes per second over the last windowMs, from accepted work; early on, over uptime. */
  hashrate(windowMs: number, now = Date.now()): number {
    this.#trim(now);
    const span = Math.max(1000, Math.min(windowMs, now - this.startedAt));
    let d = 0;
    for (let i = this.#work.length - 1; i >= 0; i--) {
      const w = this.#work[i]!;
      if (w[0] < now - span) break;
      d += w[1];
    }
    return (d * TWO32 * 1000) / span;
  }

  /** Average since start. */
  hashrateAverage(now = Date.now()): number {
    const span = Math.max(1000, now - this.startedAt);
    return (this.difficultyAccepted * TWO32 * 1000) / span;
  }

  #trim(now: number): void {
    let drop = 0;
    while (drop < this.#work.length && this.#work[drop]![0] < now - WINDOW_MS) drop++;
    if (drop > 0) this.#work.splice(0, drop);
    if (this.#work.length > 4096) this.#work.splice(0, this.#work.length - 4096);
  }
}

/** Credits a pool's answer to a submit, in the miner's totals and the pool's own counters. */
export function recordOutcome(
  stats: MinerStats,
  pool: PoolCounters | undefined,
  out: { readonly accepted: boolean; readonly code?: number },
  difficulty: number,
  achieved: number,
  now = Date.now(),
): void {
  if (out.accepted) {
    stats.recordAccepted(difficulty, achieved, now);
    if (!pool) return;
    pool.accepted++;
    pool.difficultyAccepted += difficulty;
    pool.lastShareDifficulty = difficulty;
    pool.bestShare = Math.max(pool.bestShare, achieved);
  } else {
    stats.recordRejected(difficulty, out.code ?? 20, now);
    if (!pool) return;
    // cgminer counts "job not found" answers as stale, the rest as rejected.
    if (out.code === 21) {
      pool.stale++;
      pool.difficultyStale += difficulty;
    } else {
      pool.rejected++;
      pool.difficultyRejected += difficulty;
    }
  }
  pool.lastShareTime = now;
}
