import { finishSha256, headerMidstate, hexToBytes, sha256 } from '@farmhand/core/bitcoin';

// The Icarus serial protocol's two messages (docs/icarus.md): the 64-byte work item the host writes
// and the 4-byte nonce the device answers with.

export const ICARUS_BAUD = 115200;
export const ICARUS_WORK_BYTES = 64;
export const ICARUS_NONCE_BYTES = 4;

/**
 * The detection work item every Icarus-protocol device knows (block 171874's header); a device that is
 * working answers ICARUS_GOLDEN_NONCE, the first difficulty-1 nonce of that header, within milliseconds.
 */
export const ICARUS_GOLDEN_WORK = hexToBytes(
  '4679ba4ec99876bf4bfe086082b400254df6c356451471139a3afa71e48f544a' +
    '000000000000000000000000000000000000000087320b1a1426674f2fa722ce',
);
export const ICARUS_GOLDEN_NONCE = hexToBytes('000187a2');

/** What a work item carries: the midstate (state words big-endian, H0 first) and header bytes 64..75. */
export interface IcarusWork {
  readonly midstate: Uint8Array;
  readonly tail: Uint8Array;
}

/** Reverses the order of the 4-byte words of `src` into `out` at `at`, keeping each word's bytes. */
function putWordsReversed(out: Uint8Array, at: number, src: Uint8Array): void {
  const words = src.length / 4;
  for (let i = 0; i < words; i++) out.set(src.subarray((words - 1 - i) * 4, (words - i) * 4), at + i * 4);
}

function wordsReversed(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  putWordsReversed(out, 0, src);
  return out;
}

/** The work item for an 80-byte header (its nonce field is ignored: the device searches it). */
export function encodeIcarusWork(header: Uint8Array): Uint8Array {
  if (header.length < 76) throw new RangeError('a work item needs at least 76 header bytes');
  return encodeIcarusItem({ midstate: headerMidstate(header), tail: header.subarray(64, 76) });
}

export function encodeIcarusItem(work: IcarusWork): Uint8Array {
  const item = new Uint8Array(ICARUS_WORK_BYTES);
  putWordsReversed(item, 0, work.midstate); // H7..H0
  // bytes 32..51: fill, ignored by the device
  putWordsReversed(item, 52, work.tail); // nBits, nTime, merkle root's last 4 bytes
  return item;
}

export function decodeIcarusWork(item: Uint8Array): IcarusWork {
  if (item.length !== ICARUS_WORK_BYTES) throw new RangeError('a work item is 64 bytes');
  return { midstate: wordsReversed(item.subarray(0, 32)), tail: wordsReversed(item.subarray(52, 64)) };
}

/** The device's nonce counter for 4 reply bytes: how many hashes it did (minus one) on that work. */
export function nonceCounter(reply: Uint8Array): number {
  return ((reply[0]! << 24) | (reply[1]! << 16) | (reply[2]! << 8) | reply[3]!) >>> 0;
}

/** The header's nonce field (little-endian uint32) for 4 reply bytes: they are the header bytes 76..79. */
export function headerNonce(reply: Uint8Array): number {
  return (reply[0]! | (reply[1]! << 8) | (reply[2]! << 16) | (reply[3]! << 24)) >>> 0;
}

/** The reply bytes for a counter value (what a device sends). */
export function counterReply(counter: number): Uint8Array {
  return Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
}

/** The double SHA-256 of the header a work item stands for, at one nonce counter: what the device computes. */
export function icarusHash(work: IcarusWork, counter: number): Uint8Array {
  const rest = new Uint8Array(16);
  rest.set(work.tail, 0);
  rest.set(counterReply(counter), 12);
  return sha256(finishSha256(work.midstate, rest, 64));
}
