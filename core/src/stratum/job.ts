import { bytesToHex, hexToBytes, isHex } from './hex.js';

// The mining.notify form of a job. All fields are lowercase hex strings exactly as they travel.

export interface StratumJob {
  readonly jobId: string;
  /** Previous block hash in Stratum word order (see prevhashToStratum). 64 hex digits. */
  readonly prevhash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  /** Merkle branch hashes in internal byte order, 64 hex digits each. */
  readonly merkleBranch: readonly string[];
  /** Header version, nBits and nTime as big-endian 8-digit hex ("20000000", "1705c739"). */
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly cleanJobs: boolean;
}

// Stratum sends the previous-block hash as eight 4-byte words, each word byte-reversed relative to the
// header's little-endian bytes (a legacy of getwork's 32-bit swaps). Both directions are the same swap.
function swapWords(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let w = 0; w < 8; w++) {
    for (let b = 0; b < 4; b++) out[w * 4 + b] = bytes[w * 4 + (3 - b)]!;
  }
  return out;
}

/** Header prevhash bytes (32, little-endian as in the 80-byte header) → Stratum hex. */
export function prevhashToStratum(headerPrevLE: Uint8Array): string {
  if (headerPrevLE.length !== 32)
    throw new RangeError(`prevhash must be 32 bytes, got ${headerPrevLE.length}`);
  return bytesToHex(swapWords(headerPrevLE));
}

/** Stratum prevhash hex (validated, 64 digits) → the 32 bytes that go into the header. */
export function stratumPrevhashToHeader(hex: string): Uint8Array {
  if (!isHex(hex, 32))
    throw new RangeError(`Stratum prevhash must be 64 hex digits, got ${(hex as string).slice(0, 70)}`);
  return swapWords(hexToBytes(hex));
}
