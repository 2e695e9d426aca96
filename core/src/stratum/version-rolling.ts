import { fail, ok, type Result } from '../result.js';

// BIP310 version rolling. Masks and versions are unsigned 32-bit numbers.

/** The bits BIP320 leaves to miners (13..28). A sensible server mask. */
export const BIP320_VERSION_MASK = 0x1fffe000;

export function popcount32(n: number): number {
  let v = n >>> 0;
  let c = 0;
  while (v !== 0) {
    v &= v - 1;
    c++;
  }
  return c;
}

export type VersionRollingErrorCode = 'VERSION_ROLLING_TOO_FEW_BITS';

/**
 * The mask granted to a miner: the bits both sides allow. Fails when fewer than the miner's
 * min-bit-count remain (BIP310 says the server should then refuse version rolling).
 */
export function negotiateVersionMask(
  requestedMask: number,
  serverMask: number,
  minBitCount = 0,
): Result<number, VersionRollingErrorCode> {
  const granted = (requestedMask & serverMask) >>> 0;
  const bits = popcount32(granted);
  if (bits < minBitCount) {
    return fail(
      'VERSION_ROLLING_TOO_FEW_BITS',
      `miner needs ${minBitCount} version bits but only ${bits} are allowed (mask ${granted.toString(16)})`,
    );
  }
  return ok(granted);
}

/**
 * True when a submit's version bits change nothing outside the mask. BIP310 miners send only the
 * rolled bits; some firmware sends the whole rolled version, so bits outside the mask may also equal
 * the job's own. Either way the header version is rolledVersion(...).
 */
export function versionWithinMask(jobVersion: number, submittedVersionBits: number, mask: number): boolean {
  const outside = (submittedVersionBits & ~mask) >>> 0;
  return outside === 0 || outside === (jobVersion & ~mask) >>> 0;
}

/** The header version for a share: the job's bits outside the mask, the miner's inside it. */
export function rolledVersion(jobVersion: number, submittedVersionBits: number, mask: number): number {
  return ((jobVersion & ~mask) | (submittedVersionBits & mask)) >>> 0;
}

/** The next version a miner tries: the masked bits counted up as one integer, wrapping. */
export function nextRolledVersion(version: number, mask: number): number {
  const rolled = (((version | ~mask) >>> 0) + 1) & mask;
  return ((version & ~mask) | rolled) >>> 0;
}
