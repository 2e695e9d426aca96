// Hex fields as Stratum carries them. Validation happens once, at the parse boundary.

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** True when `s` is an even-length hex string, optionally of exactly `bytes` bytes. */
export function isHex(s: unknown, bytes?: number): s is string {
  if (typeof s !== 'string' || !HEX_RE.test(s)) return false;
  return bytes === undefined || s.length === bytes * 2;
}

/** Decodes hex the caller has already validated; a bad string is a programmer error. */
export function hexToBytes(hex: string): Uint8Array {
  if (!isHex(hex)) throw new RangeError(`not an even-length hex string: ${(hex as string).slice(0, 32)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = (nibble(hex.charCodeAt(i * 2)) << 4) | nibble(hex.charCodeAt(i * 2 + 1));
  return out;
}

function nibble(c: number): number {
  // '0'-'9', then 'A'-'F' / 'a'-'f' (already validated).
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Parses a big-endian 32-bit hex field ("20000000", "1fffe000") into an unsigned number. */
export function parseHex32(s: unknown): number | undefined {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(s)) return undefined;
  return parseInt(s, 16) >>> 0;
}

/** Formats an unsigned 32-bit number as the 8-digit lowercase hex Stratum uses. */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
