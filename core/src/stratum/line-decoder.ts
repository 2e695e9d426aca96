import { fail, ok, type Result } from '../result.js';

// Newline framing for Stratum V1 over TCP. Chunks arrive cut anywhere; lines come out whole.
// Memory is bounded by maxLineBytes: an oversized line is reported once and then skipped up to
// its newline without being kept.

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

export type LineErrorCode = 'LINE_TOO_LONG';
export type LineResult = Result<string, LineErrorCode>;

export interface LineDecoderOptions {
  /** Largest line accepted, in bytes before the '\n' (a trailing '\r' counts). Default 16 KiB. */
  readonly maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineDecoder {
  readonly maxLineBytes: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #discarding = false;
  readonly #text = new TextDecoder('utf-8');

  constructor(options: LineDecoderOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`maxLineBytes must be a positive integer, got ${max}`);
    this.maxLineBytes = max;
  }

  /** Bytes held for an incomplete line; never more than maxLineBytes. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** True while skipping the rest of an oversized line. */
  get discarding(): boolean {
    return this.#discarding;
  }

  /** Feeds one chunk; returns the complete lines (and oversize errors) it finished, in order. */
  push(chunk: Uint8Array): LineResult[] {
    const out: LineResult[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (this.#discarding) {
        if (nl < 0) return out;
        this.#discarding = false;
        start = nl + 1;
        continue;
      }
      const end = nl < 0 ? chunk.length : nl;
      const size = this.#pendingBytes + (end - start);
      if (size > this.maxLineBytes) {
        out.push(this.#tooLong(size, nl >= 0));
        this.#pending = [];
        this.#pendingBytes = 0;
        if (nl < 0) {
          this.#discarding = true;
          return out;
        }
        start = nl + 1;
        continue;
      }
      if (nl < 0) {
        // Copy: the caller may reuse its buffer.
        this.#pending.push(chunk.slice(start));
        this.#pendingBytes = size;
        return out;
      }
      const line = this.#take(chunk.subarray(start, nl));
      if (line.trim().length > 0) out.push(ok(line));
      start = nl + 1;
    }
    return out;
  }

  #take(tail: Uint8Array): string {
    let bytes = tail;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pendingBytes + tail.length);
      let at = 0;
      for (const p of this.#pending) {
        bytes.set(p, at);
        at += p.length;
      }
      bytes.set(tail, at);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    const n = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return this.#text.decode(bytes.subarray(0, n));
  }

  #tooLong(size: number, complete: boolean): LineResult {
    const seen = complete ? `${size} bytes` : `more than ${this.maxLineBytes} bytes so far`;
    return fail(
      'LINE_TOO_LONG',
      `line of ${seen} exceeds the ${this.maxLineBytes}-byte limit; it was discarded up to its newline`,
    );
  }
}
