// Per-connection variable difficulty. Pure: the caller passes the time (ms) of every event, so tests
// drive it with a fake clock and the agent and gateway share one behaviour.

export interface VardiffConfig {
  /** Seconds per share the miner should settle at. */
  targetShareSeconds: number;
  /** Longest time between retarget decisions while shares arrive. */
  retargetSeconds: number;
  /** Retarget as soon as this many shares arrived since the last one (fast convergence upward). */
  retargetShares: number;
  minDifficulty: number;
  maxDifficulty: number;
  /** No change while avg/target stays inside [low, high]. */
  deadBandLow: number;
  deadBandHigh: number;
}

/** The seed's defaults (4 s per share, 120 s, 30 shares, 0.7 / 1.5 band, min 16). */
export const DEFAULT_VARDIFF: VardiffConfig = {
  targetShareSeconds: 4,
  retargetSeconds: 120,
  retargetShares: 30,
  minDifficulty: 16,
  maxDifficulty: 2 ** 40,
  deadBandLow: 0.7,
  deadBandHigh: 1.5,
};

export function clampDifficulty(
  d: number,
  cfg: Pick<VardiffConfig, 'minDifficulty' | 'maxDifficulty'>,
): number {
  return Math.min(cfg.maxDifficulty, Math.max(cfg.minDifficulty, d));
}

export class Vardiff {
  private current: number;
  private previous: number;
  private windowStart: number;
  private sharesInWindow = 0;
  private fixed = false;

  constructor(
    readonly config: VardiffConfig,
    startDifficulty: number,
    nowMs: number,
  ) {
    this.current = clampDifficulty(startDifficulty, config);
    this.previous = this.current;
    this.windowStart = nowMs;
  }

  get difficulty(): number {
    return this.current;
  }

  /** The difficulty before the last change: shares in flight at it still count (at that difficulty). */
  get previousDifficulty(): number {
    return this.previous;
  }

  /** A miner's mining.suggest_difficulty (or a d=N password): honoured within bounds, then left alone. */
  suggest(difficulty: number, nowMs: number, fix = false): number | null {
    if (!(difficulty > 0) || !Number.isFinite(difficulty)) return null;
    this.fixed = fix;
    return this.set(clampDifficulty(difficulty, this.config), nowMs);
  }

  /** Records a valid share; returns the new difficulty when it changes, else null. */
  onShare(nowMs: number): number | null {
    this.sharesInWindow += 1;
    const elapsed = (nowMs - this.windowStart) / 1000;
    if (this.sharesInWindow < this.config.retargetShares && elapsed < this.config.retargetSeconds)
      return null;
    return this.retarget(nowMs);
  }

  /**
   * Periodic check for a miner whose shares stopped: the seed only looked on share arrival, so a miner
   * handed too high a difficulty stayed silent forever. Halves after a whole window with too few shares.
   */
  tick(nowMs: number): number | null {
    const elapsed = (nowMs - this.windowStart) / 1000;
    if (elapsed < this.config.retargetSeconds) return null;
    return this.retarget(nowMs);
  }

  private retarget(nowMs: number): number | null {
    if (this.fixed) {
      this.resetWindow(nowMs);
      return null;
    }
    const elapsed = (nowMs - this.windowStart) / 1000;
    const avg = this.sharesInWindow === 0 ? Infinity : elapsed / this.sharesInWindow;
    const ratio = avg / this.config.targetShareSeconds;
    let next = this.current;
    if (ratio > this.config.deadBandHigh) next = this.current / 2;
    else if (ratio < this.config.deadBandLow) next = this.current * 2;
    return this.set(clampDifficulty(next, this.config), nowMs);
  }

  private set(next: number, nowMs: number): number | null {
    this.resetWindow(nowMs);
    if (next === this.current) return null;
    this.previous = this.current;
    this.current = next;
    return next;
  }

  private resetWindow(nowMs: number): void {
    this.windowStart = nowMs;
    this.sharesInWindow = 0;
  }
}
