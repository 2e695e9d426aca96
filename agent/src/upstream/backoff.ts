// Reconnect delays: doubling from `initialMs` to `maxMs`, with ±20% jitter so a farm of agents
// restarted together does not reconnect in lockstep. reset() after a connection proved healthy.

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  #next: number;

  constructor(initialMs = 1000, maxMs = 30_000) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.#next = initialMs;
  }

  /** The delay before the next attempt; each call doubles the following one. */
  next(): number {
    const base = this.#next;
    this.#next = Math.min(this.maxMs, this.#next * 2);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Jump to the longest delay (a configuration error such as a refused token will not fix itself). */
  max(): void {
    this.#next = this.maxMs;
  }

  reset(): void {
    this.#next = this.initialMs;
  }
}
