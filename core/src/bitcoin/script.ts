import { concatBytes, u32le } from './bytes.js';

export const OP_0 = 0x00;
export const OP_RETURN = 0x6a;

/** Minimal push of a byte string (OP_PUSHBYTES / PUSHDATA1/2/4). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n <= 0x4b) return concatBytes(Uint8Array.of(n), data);
  if (n <= 0xff) return concatBytes(Uint8Array.of(0x4c, n), data);
  if (n <= 0xffff) return concatBytes(Uint8Array.of(0x4d, n & 0xff, n >>> 8), data);
  return concatBytes(Uint8Array.of(0x4e), u32le(n), data);
}

/** Minimal little-endian script number with a sign bit (CScriptNum). */
export function scriptNumBytes(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const negative = n < 0;
  let abs = Math.abs(n);
  const out: number[] = [];
  while (abs > 0) {
    out.push(abs & 0xff);
    abs = Math.floor(abs / 256);
  }
  if (out[out.length - 1]! & 0x80) out.push(negative ? 0x80 : 0x00);
  else if (negative) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/**
 * BIP34 block height in a coinbase scriptSig. Bitcoin Core pushes heights 1–16 as OP_1..OP_16 and
 * larger ones as a data push of the script number; consensus requires exactly this encoding.
 */
export function bip34HeightPush(height: number): Uint8Array {
  if (!Number.isInteger(height) || height < 0) throw new RangeError(`bad block height ${height}`);
  if (height === 0) return Uint8Array.of(OP_0);
  if (height <= 16) return Uint8Array.of(0x50 + height);
  return pushData(scriptNumBytes(height));
}

/** Reads the BIP34 height back from the start of a coinbase scriptSig; null when absent. */
export function readBip34Height(scriptSig: Uint8Array): number | null {
  const op = scriptSig[0];
  if (op === undefined) return null;
  if (op === OP_0) return 0;
  if (op >= 0x51 && op <= 0x60) return op - 0x50;
  if (op < 1 || op > 8 || scriptSig.length < 1 + op) return null;
  let n = 0;
  for (let i = op; i >= 1; i--) n = n * 256 + scriptSig[i]!;
  return n;
}
