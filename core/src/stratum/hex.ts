// Hex fields as Stratum carries them. Validation happens once, at the parse boundary.
export { bytesToHex, hexToBytes, isHex } from '../bitcoin/bytes.js';

/** Parses a big-endian 32-bit hex field ("20000000", "1fffe000") into an unsigned number. */
export function parseHex32(s: unknown): number | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > 8) return undefined;
  // A digit loop instead of a regex: this runs three times for every share.
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return undefined;
    n = n * 16 + d;
  }
  return n >>> 0;
}

/** Formats an unsigned 32-bit number as the 8-digit lowercase hex Stratum uses. */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
