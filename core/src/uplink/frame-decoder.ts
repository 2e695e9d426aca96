import { fail, ok, type Failure, type Result } from '../result.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  frameCrc,
  type Frame,
} from './frame.js';

// Streaming decoder for uplink frames. Bytes may arrive cut anywhere (one at a time is fine).
// The body length is checked from the header before any body byte is kept, so memory stays below
// FRAME_HEADER_BYTES + maxBodyBytes. After the first error the stream has lost its framing: the
// decoder stays failed, drops its buffer, ignores further input, and the caller closes the connection.

export type FrameErrorCode = 'BAD_MAGIC' | 'BAD_VERSION' | 'TOO_LARGE' | 'BAD_CRC';
export type FrameResult = Result<Frame, FrameErrorCode>;

export interface FrameDecoderOptions {
  /** Largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export class FrameDecoder {
  readonly maxBodyBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #header: Uint8Array | null = null;
  #bodyLength = 0;
  #failure: Failure<FrameErrorCode> | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff)
      throw new RangeError(`bad maxBodyBytes ${max}`);
    this.maxBodyBytes = max;
  }

  /** Bytes held for an incomplete frame (header included). */
  get bufferedBytes(): number {
    return this.#buffered + (this.#header ? FRAME_HEADER_BYTES : 0);
  }

  /** The error that stopped the decoder, or null while healthy. */
  get failure(): Failure<FrameErrorCode> | null {
    return this.#failure;
  }

  /** Feeds bytes; returns the frames completed, then at most one error (after which it stays failed). */
  push(chunk: Uint8Array): FrameResult[] {
    const out: FrameResult[] = [];
    if (this.#failure || chunk.length === 0) return out;
    this.#chunks.push(chunk.slice());
    this.#buffered += chunk.length;
    for (;;) {
      if (!this.#header) {
        if (this.#buffered < FRAME_HEADER_BYTES) return out;
        const header = this.#take(FRAME_HEADER_BYTES);
        const err = this.#checkHeader(header);
        if (err) {
          out.push(this.#fail(err));
          return out;
        }
        this.#header = header;
        this.#bodyLength = new DataView(header.buffer, header.byteOffset).getUint32(12);
      }
      if (this.#buffered < this.#bodyLength) return out;
      const header = this.#header;
      const body = this.#take(this.#bodyLength);
      this.#header = null;
      const view = new DataView(header.buffer, header.byteOffset);
      const want = view.getUint32(16);
      const got = frameCrc(header, body);
      if (want !== got) {
        out.push(
          this.#fail(
            fail(
              'BAD_CRC',
              `frame seq ${view.getUint32(8)}: CRC-32C ${hex(got)} does not match ${hex(want)} in the header`,
            ),
          ),
        );
        return out;
      }
      out.push(ok({ type: header[5]!, flags: header[6]!, seq: view.getUint32(8), body }));
    }
  }

  #checkHeader(h: Uint8Array): { ok: false; error: Failure<FrameErrorCode> } | null {
    for (let i = 0; i < FRAME_MAGIC.length; i++) {
      if (h[i] !== FRAME_MAGIC[i]) {
        return fail(
          'BAD_MAGIC',
          `stream does not start a farmhand uplink frame (bytes ${hex8(h.subarray(0, 4))}, want 46485550 "FHUP")`,
        );
      }
    }
    if (h[4] !== FRAME_VERSION)
      return fail('BAD_VERSION', `frame version ${h[4]} is not supported (want ${FRAME_VERSION})`);
    const length = new DataView(h.buffer, h.byteOffset).getUint32(12);
    if (length > this.maxBodyBytes) {
      return fail('TOO_LARGE', `frame body of ${length} bytes exceeds the ${this.maxBodyBytes}-byte limit`);
    }
    return null;
  }

  #fail(r: { ok: false; error: Failure<FrameErrorCode> }): FrameResult {
    this.#failure = r.error;
    this.#chunks = [];
    this.#buffered = 0;
    this.#header = null;
    return r;
  }

  /** Removes and returns the next n buffered bytes (n <= #buffered). */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    let used = 0;
    while (at < n) {
      const first = this.#chunks[used]!;
      const need = n - at;
      if (first.length <= need) {
        out.set(first, at);
        at += first.length;
        used++;
      } else {
        out.set(first.subarray(0, need), at);
        this.#chunks[used] = first.subarray(need);
        at += need;
      }
    }
    // One splice, not a shift per chunk: a body fed a byte at a time would otherwise cost O(n^2).
    if (used > 0) this.#chunks.splice(0, used);
    this.#buffered -= n;
    return out;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function hex8(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
