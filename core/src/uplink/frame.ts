import { crc32c } from './crc32c.js';

// The uplink frame layer (docs/uplink.md). A 20-byte header, then the body. Integers are big-endian.
//
//  off size field
//   0   4   magic "FHUP" (46 48 55 50)
//   4   1   version = 1
//   5   1   type (message bodies are defined by the layers above)
//   6   1   flags
//   7   1   reserved, sent as 0, ignored on receipt
//   8   4   sequence
//  12   4   body length
//  16   4   CRC-32C over the header with this field zeroed, then the body

export const FRAME_MAGIC = Uint8Array.of(0x46, 0x48, 0x55, 0x50);
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 20;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly body: Uint8Array;
}

export interface FrameInput {
  readonly type: number;
  readonly flags?: number;
  readonly seq: number;
  readonly body?: Uint8Array;
}

function checkUint(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new RangeError(`${name} must be an integer 0..${max}, got ${v}`);
}

/** The CRC of a frame: header bytes 0..15, four zero bytes for the CRC field, then the body. */
export function frameCrc(header: Uint8Array, body: Uint8Array): number {
  let crc = crc32c(header.subarray(0, 16));
  crc = crc32c(ZERO4, crc);
  return crc32c(body, crc);
}
const ZERO4 = new Uint8Array(4);

/** Serializes one frame. Out-of-range fields are programmer errors and throw. */
export function encodeFrame(input: FrameInput): Uint8Array {
  const body = input.body ?? new Uint8Array(0);
  const flags = input.flags ?? 0;
  checkUint('type', input.type, 0xff);
  checkUint('flags', flags, 0xff);
  checkUint('seq', input.seq, 0xffffffff);
  checkUint('body length', body.length, 0xffffffff);
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  out.set(FRAME_MAGIC, 0);
  out[4] = FRAME_VERSION;
  out[5] = input.type;
  out[6] = flags;
  out[7] = 0;
  view.setUint32(8, input.seq);
  view.setUint32(12, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  view.setUint32(16, frameCrc(out, body));
  return out;
}
