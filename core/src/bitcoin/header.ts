import { ByteReader, bytesToHex, reversed } from './bytes.js';
import { sha256d } from './hash.js';

/** The 80-byte block header, hashes in internal byte order. */
export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

export function serializeHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(80);
  writeHeader(out, h.version, h.prevHash, h.merkleRoot, h.time, h.bits, h.nonce);
  return out;
}

/** Writes a header into an existing 80-byte buffer (the share validator reuses one). */
export function writeHeader(
  out: Uint8Array,
  version: number,
  prevHash: Uint8Array,
  merkleRoot: Uint8Array,
  time: number,
  bits: number,
  nonce: number,
): void {
  putU32(out, 0, version);
  out.set(prevHash, 4);
  out.set(merkleRoot, 36);
  putU32(out, 68, time);
  putU32(out, 72, bits);
  putU32(out, 76, nonce);
}

function putU32(out: Uint8Array, at: number, n: number): void {
  out[at] = n & 0xff;
  out[at + 1] = (n >>> 8) & 0xff;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = n >>> 24;
}

export function parseHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes);
  return {
    version: r.u32(),
    prevHash: r.take(32),
    merkleRoot: r.take(32),
    time: r.u32(),
    bits: r.u32(),
    nonce: r.u32(),
  };
}

/** Block hash of a header as explorers show it (byte-reversed hex). */
export function headerHashHex(header: Uint8Array): string {
  return bytesToHex(reversed(sha256d(header)));
}
