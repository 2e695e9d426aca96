// A token bucket of messages per connection: `burst` messages at once, refilled at `ratePerSecond`.
// Firmware sends a handful of lines at connect and then one submit every few seconds; a client that
// empties the bucket is flooding. Shared by the agent's downstream server and the pool gateway.

export interface FloodGuardOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export class FloodGuard {
  #tokens: number;
  #at: number;

  constructor(
    readonly options: FloodGuardOptions,
    now: number,
  ) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError(`flood guard needs a positive rate and a burst of at least 1`);
    }
    this.#tokens = options.burst;
    this.#at = now;
  }

  /** Takes one token; false when the client is over its rate. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#tokens = Math.min(this.options.burst, this.#tokens + elapsed * this.options.ratePerSecond);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
