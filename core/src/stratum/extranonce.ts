import { fail, ok, type Result } from '../result.js';
import { isHex } from './hex.js';

// Extranonce1 values: unique per live session, optionally under a fixed prefix. A gateway gives an
// agent a prefix; the agent appends a counter per miner and shortens extranonce2 by as many bytes.

export type ExtranonceErrorCode = 'EXTRANONCE_EXHAUSTED' | 'BAD_EXTRANONCE2' | 'EXTRANONCE2_TOO_SMALL';

export interface ExtranonceAllocatorOptions {
  /** Bytes of counter after the prefix, 1..6. */
  readonly counterBytes: number;
  /** Fixed leading bytes, as hex. Default none. */
  readonly prefix?: string;
  /** First counter value handed out. Default 0. */
  readonly start?: number;
}

export class ExtranonceAllocator {
  readonly counterBytes: number;
  readonly prefix: string;
  readonly capacity: number;
  readonly #inUse = new Set<number>();
  #next: number;

  constructor(options: ExtranonceAllocatorOptions) {
    const { counterBytes, prefix = '', start = 0 } = options;
    if (!Number.isInteger(counterBytes) || counterBytes < 1 || counterBytes > 6) {
      throw new RangeError(`counterBytes must be 1..6, got ${counterBytes}`);
    }
    if (!isHex(prefix)) throw new RangeError(`prefix must be hex, got ${prefix}`);
    this.counterBytes = counterBytes;
    this.prefix = prefix.toLowerCase();
    this.capacity = 2 ** (8 * counterBytes);
    if (!Number.isInteger(start) || start < 0 || start >= this.capacity)
      throw new RangeError(`bad start ${start}`);
    this.#next = start;
  }

  /** Extranonce1 length in bytes (prefix + counter). */
  get size(): number {
    return this.prefix.length / 2 + this.counterBytes;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /**
   * A fresh extranonce1 (hex). Values are handed out round-robin, so a value just released is the
   * last to come back: late shares from a closed session cannot land on its successor at once.
   */
  allocate(): Result<string, 'EXTRANONCE_EXHAUSTED'> {
    if (this.#inUse.size >= this.capacity) {
      return fail(
        'EXTRANONCE_EXHAUSTED',
        `all ${this.capacity} extranonce1 values under prefix '${this.prefix}' are in use`,
      );
    }
    let n = this.#next;
    while (this.#inUse.has(n)) n = (n + 1) % this.capacity;
    this.#inUse.add(n);
    this.#next = (n + 1) % this.capacity;
    return ok(this.prefix + n.toString(16).padStart(this.counterBytes * 2, '0'));
  }

  /** Returns a value to the pool; false if it was not ours or not in use. */
  release(extranonce1: string): boolean {
    const hex = extranonce1.toLowerCase();
    if (hex.length !== this.size * 2 || !hex.startsWith(this.prefix) || !isHex(hex)) return false;
    return this.#inUse.delete(parseInt(hex.slice(this.prefix.length), 16));
  }
}

/** Checks a submitted extranonce2 against the session's size. */
export function checkExtranonce2(hex: string, size: number): Result<string, 'BAD_EXTRANONCE2'> {
  if (!isHex(hex, size)) {
    return fail(
      'BAD_EXTRANONCE2',
      `extranonce2 must be ${size * 2} hex digits, got '${(hex as string).slice(0, 80)}'`,
    );
  }
  return ok(hex.toLowerCase());
}

export interface ExtranonceSpace {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
}

/**
 * Splits an upstream extranonce space among downstream sessions: each gets upstream extranonce1 +
 * counterBytes of its own, and counterBytes fewer bytes of extranonce2. Fails if fewer than
 * minExtranonce2Size bytes would be left to the miners.
 */
export function subdivideExtranonce(
  upstream: ExtranonceSpace,
  counterBytes: number,
  minExtranonce2Size = 2,
): Result<{ readonly prefix: string; readonly extranonce2Size: number }, 'EXTRANONCE2_TOO_SMALL'> {
  const left = upstream.extranonce2Size - counterBytes;
  if (left < minExtranonce2Size) {
    return fail(
      'EXTRANONCE2_TOO_SMALL',
      `upstream extranonce2 of ${upstream.extranonce2Size} bytes leaves ${left} after a ${counterBytes}-byte counter; need ${minExtranonce2Size}`,
    );
  }
  return ok({ prefix: upstream.extranonce1.toLowerCase(), extranonce2Size: left });
}
