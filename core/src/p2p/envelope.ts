// The P2P message envelope: magic(4) ‖ command(12, NUL-padded ASCII) ‖ payload length u32 LE ‖
// checksum(4 = first bytes of sha256d(payload)) ‖ payload. See docs/bitpeer.md.
import { fail, ok, type Result } from '../result.js';
import { bytesEqual, concatBytes, u32le } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

export const ENVELOPE_BYTES = 24;
/** Bitcoin Core refuses messages above 4,000,000 bytes (MAX_PROTOCOL_MESSAGE_LENGTH). */
export const MAX_P2P_PAYLOAD = 4_000_000;

export interface RawP2pMessage {
  readonly command: string;
  readonly payload: Uint8Array;
}

export function encodeEnvelope(magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  if (!/^[a-z0-9]{1,12}$/.test(command)) throw new RangeError(`bad P2P command "${command}"`);
  const head = new Uint8Array(ENVELOPE_BYTES);
  head.set(magic, 0);
  for (let i = 0; i < command.length; i++) head[4 + i] = command.charCodeAt(i);
  head.set(u32le(payload.length), 16);
  head.set(sha256d(payload).subarray(0, 4), 20);
  return concatBytes(head, payload);
}

export type EnvelopeErrorCode = 'P2P_BAD_MAGIC' | 'P2P_BAD_COMMAND' | 'P2P_TOO_LARGE' | 'P2P_BAD_CHECKSUM';

/**
 * Streaming envelope decoder. After the first error the stream is no longer trusted: the decoder
 * stays failed and the caller drops the peer.
 */
export class EnvelopeDecoder {
  // Chunks are kept as they come and joined once per message, so a 4 MB block arriving in 64 KB
  // pieces is copied once, not once per piece.
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Payload length of the message being read, once its header is checked; -1 before. */
  #need = -1;
  #head: Uint8Array | null = null;
  #failed = false;

  constructor(
    private readonly magic: Uint8Array,
    private readonly maxPayload = MAX_P2P_PAYLOAD,
  ) {}

  push(chunk: Uint8Array): Result<RawP2pMessage, EnvelopeErrorCode>[] {
    const out: Result<RawP2pMessage, EnvelopeErrorCode>[] = [];
    if (this.#failed || chunk.length === 0) return out;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < ENVELOPE_BYTES) return out;
        const head = this.#take(ENVELOPE_BYTES);
        const need = this.#checkHead(head);
        if (typeof need !== 'number') {
          out.push(need);
          this.#failed = true;
          this.#chunks = [];
          this.#buffered = 0;
          return out;
        }
        this.#head = head;
        this.#need = need;
      }
      if (this.#buffered < this.#need) return out;
      const head = this.#head!;
      const payload = this.#take(this.#need);
      this.#need = -1;
      this.#head = null;
      if (!bytesEqual(sha256d(payload).subarray(0, 4), head.subarray(20, 24))) {
        out.push(fail('P2P_BAD_CHECKSUM', `checksum mismatch on "${commandOf(head)}"`));
        this.#failed = true;
        this.#chunks = [];
        this.#buffered = 0;
        return out;
      }
      out.push(ok({ command: commandOf(head), payload }));
    }
  }

  /** The next n buffered bytes as a fresh array (a copy: socket buffers are not ours to keep). */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0]!;
      const use = Math.min(c.length, n - at);
      out.set(c.subarray(0, use), at);
      at += use;
      if (use === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(use);
    }
    this.#buffered -= n;
    return out;
  }

  /** Returns the payload length, or the failure. */
  #checkHead(head: Uint8Array): number | ReturnType<typeof fail<EnvelopeErrorCode>> {
    if (!bytesEqual(head.subarray(0, 4), this.magic))
      return fail('P2P_BAD_MAGIC', `wrong network magic ${Buffer.from(head.subarray(0, 4)).toString('hex')}`);
    // The command is printable ASCII, then NUL padding only.
    let end = 4;
    while (end < 16 && head[end] !== 0) {
      const c = head[end]!;
      if (c < 0x20 || c > 0x7e) return fail('P2P_BAD_COMMAND', 'command is not printable ASCII');
      end++;
    }
    for (let i = end; i < 16; i++)
      if (head[i] !== 0) return fail('P2P_BAD_COMMAND', 'command padding is not NUL');
    if (end === 4) return fail('P2P_BAD_COMMAND', 'empty command');
    const len = new DataView(head.buffer, head.byteOffset, 24).getUint32(16, true);
    if (len > this.maxPayload)
      return fail('P2P_TOO_LARGE', `payload of ${len} bytes is over the ${this.maxPayload} limit`);
    return len;
  }
}

function commandOf(head: Uint8Array): string {
  let s = '';
  for (let i = 4; i < 16 && head[i] !== 0; i++) s += String.fromCharCode(head[i]!);
  return s;
}
