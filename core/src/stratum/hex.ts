// Hex fields as Stratum carries them. Validation happens once, at the parse boundary.
export { bytesToHex, hexToBytes, isHex } from '../bitcoin/bytes.js';

/** Parses a big-endian 32-bit hex field ("20000000", "1fffe000") into an unsigned number. */
export function parseHex32(s: unknown): number | undefined {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(s)) return undefined;
  return parseInt(s, 16) >>> 0;
}

/** Formats an unsigned 32-bit number as the 8-digit lowercase hex Stratum uses. */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
