// Closes a miner whose recent shares are mostly invalid (a misconfigured or hostile client): a ring of
// the last `window` outcomes, judged only once the ring is full so one early stale share never counts.

export interface InvalidShareGuardOptions {
  /** Shares looked at. Default 50. */
  readonly window: number;
  /** Close when the invalid fraction of the window is above this. Default 0.9. */
  readonly maxInvalidRatio: number;
}

export const DEFAULT_INVALID_SHARE_GUARD: InvalidShareGuardOptions = { window: 50, maxInvalidRatio: 0.9 };

export class InvalidShareGuard {
  readonly #ring: Uint8Array;
  #at = 0;
  #filled = 0;
  #invalid = 0;

  constructor(readonly options: InvalidShareGuardOptions = DEFAULT_INVALID_SHARE_GUARD) {
    if (!Number.isInteger(options.window) || options.window < 1) {
      throw new RangeError(`window must be a positive integer, got ${options.window}`);
    }
    this.#ring = new Uint8Array(options.window);
  }

  /** Records one share; returns a close reason when the window is mostly invalid. */
  record(valid: boolean): string | undefined {
    const bit = valid ? 0 : 1;
    if (this.#filled === this.#ring.length) this.#invalid -= this.#ring[this.#at]!;
    else this.#filled += 1;
    this.#ring[this.#at] = bit;
    this.#invalid += bit;
    this.#at = (this.#at + 1) % this.#ring.length;
    if (this.#filled < this.#ring.length) return undefined;
    const ratio = this.#invalid / this.#ring.length;
    if (ratio <= this.options.maxInvalidRatio) return undefined;
    return `${this.#invalid} of the last ${this.#ring.length} shares were invalid (limit ${Math.round(
      this.options.maxInvalidRatio * 100,
    )}%)`;
  }

  get invalidInWindow(): number {
    return this.#invalid;
  }
}
