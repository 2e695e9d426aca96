// Compact nBits, 256-bit targets and pool difficulty. Targets are bigints; hashes compare as
// little-endian 256-bit numbers (the reverse of their display order).

/** Difficulty 1: the target of nBits 0x1d00ffff (0x00000000FFFF0000…). */
export const DIFF1_TARGET = 0xffffn << 208n;
const MAX_TARGET = (1n << 256n) - 1n;

export function bitsToTarget(bits: number): bigint {
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if (bits & 0x00800000) return 0n; // negative targets are invalid; treat as unreachable
  if (exponent <= 3) return BigInt(mantissa >>> (8 * (3 - exponent)));
  return BigInt(mantissa) << BigInt(8 * (exponent - 3));
}

export function targetToBits(target: bigint): number {
  if (target <= 0n) return 0;
  let size = Math.ceil(target.toString(16).length / 2);
  let mantissa: number;
  if (size <= 3) mantissa = Number(target << BigInt(8 * (3 - size)));
  else mantissa = Number(target >> BigInt(8 * (size - 3)));
  // The mantissa's top bit is a sign bit; shift into the exponent instead.
  if (mantissa & 0x00800000) {
    mantissa >>>= 8;
    size += 1;
  }
  return ((size << 24) | mantissa) >>> 0;
}

export function bitsFromHex(hex: string): number {
  return Number.parseInt(hex, 16) >>> 0;
}

/** Pool difficulty of a target: diff1 / target (a float, may be < 1 on regtest). */
export function targetToDifficulty(target: bigint): number {
  if (target <= 0n) return Infinity;
  return bigRatio(DIFF1_TARGET, target);
}

/** The target a share must meet at a pool difficulty (fractions allowed): diff1 / difficulty, exactly. */
export function difficultyToTarget(difficulty: number): bigint {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new RangeError(`bad difficulty ${difficulty}`);
  // difficulty = m * 2^e with m a 53-bit integer, so the division is exact in bigints.
  const e = Math.floor(Math.log2(difficulty)) - 52;
  const m = BigInt(difficulty / 2 ** e);
  const t = e >= 0 ? DIFF1_TARGET / (m << BigInt(e)) : (DIFF1_TARGET << BigInt(-e)) / m;
  return t > MAX_TARGET ? MAX_TARGET : t;
}

/** A 32-byte hash in internal order as the number it represents (little-endian). */
export function hashToBigInt(hash: Uint8Array): bigint {
  let hex = '';
  for (let i = hash.length - 1; i >= 0; i--) hex += hash[i]!.toString(16).padStart(2, '0');
  return BigInt('0x' + hex);
}

const DIFF1_FLOAT = 0xffff * 2 ** 208;

/** The difficulty a header hash achieves: diff1 / hash (a double: 53 bits are all a pool needs). */
export function hashDifficulty(hash: Uint8Array): number {
  let value = 0;
  for (let i = hash.length - 1; i >= 0; i--) value = value * 256 + hash[i]!;
  return value === 0 ? Infinity : DIFF1_FLOAT / value;
}

/** A target as 32 little-endian bytes, the layout hashes are compared in. */
export function targetToBytes(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32 && t > 0n; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** hash <= target, both 32 little-endian bytes: the proof-of-work test without bigints. */
export function hashMeetsTarget(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const h = hash[i]!;
    const t = target[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

function bigRatio(a: bigint, b: bigint): number {
  // Keep 64 significant bits of the quotient before going to a float.
  const shift = BigInt(Math.max(0, b.toString(2).length - a.toString(2).length + 64));
  return Number((a << shift) / b) / 2 ** Number(shift);
}
