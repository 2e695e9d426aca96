// Per-session share counters and a hashrate estimate from accepted difficulty over time
// (hashes = difficulty × 2^32 per share), kept in one-minute buckets over a sliding window.

const TWO_POW_32 = 2 ** 32;
const BUCKET_MS = 60_000;

export class SessionStats {
  accepted = 0;
  acceptedDifficulty = 0;
  readonly rejected = new Map<string, number>();
  lastShareAt: number | undefined;
  blocks = 0;
  readonly #buckets: { start: number; difficulty: number }[] = [];

  constructor(
    readonly startedAt: number,
    /** Window of the hashrate estimate. Default 10 minutes. */
    readonly windowMs = 10 * BUCKET_MS,
  ) {}

  accept(difficulty: number, at: number, block: boolean): void {
    this.accepted += 1;
    this.acceptedDifficulty += difficulty;
    this.lastShareAt = at;
    if (block) this.blocks += 1;
    const start = at - (at % BUCKET_MS);
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && last.start === start) last.difficulty += difficulty;
    else this.#buckets.push({ start, difficulty });
    this.#prune(at);
  }

  reject(reason: string, at: number): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.lastShareAt = at;
  }

  get rejectedTotal(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  /** Hashes per second over the window (or since the session started, if younger). */
  hashrate(now: number): number {
    this.#prune(now);
    const span = Math.min(this.windowMs, now - this.startedAt);
    if (span <= 0) return 0;
    let sum = 0;
    for (const b of this.#buckets) sum += b.difficulty;
    return (sum * TWO_POW_32) / (span / 1000);
  }

  #prune(now: number): void {
    // A bucket counts while any of it is inside the window; that slightly overestimates at the edge.
    while (this.#buckets.length > 0 && this.#buckets[0]!.start + BUCKET_MS <= now - this.windowMs) {
      this.#buckets.shift();
    }
  }
}
