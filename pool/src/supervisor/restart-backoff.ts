export interface BackoffOptions {
  /** Delay before the first restart of a crash streak; under a second, as the seed's watchdog. */
  readonly initialMs: number;
  /** Longest delay a crash loop backs off to. */
  readonly maxMs: number;
  /** A child that ran this long before exiting is "stable": its crash streak starts over. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000, stableMs: 10_000 };

/** Exponential back-off for one child's restarts: initial, 2×, 4×, … up to the cap. */
export class RestartBackoff {
  private streak = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    if (options.initialMs <= 0 || options.maxMs < options.initialMs || options.stableMs <= 0) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs and stableMs > 0');
    }
  }

  /** The delay before restarting a child that exited after running `uptimeMs`. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.options.stableMs) this.streak = 0;
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.streak);
    if (delay < this.options.maxMs) this.streak += 1;
    return delay;
  }
}
