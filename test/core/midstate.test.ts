import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  finishSha256,
  headerMidstate,
  hexToBytes,
  sha256,
  writeHeader,
} from '@farmhand/core/bitcoin';
import { stratumPrevhashToHeader } from '@farmhand/core/stratum';
import { readFixtureJson } from '../support/fixtures.js';

interface MidstateVector {
  id: string;
  header_fields: {
    version: string;
    prevhash_stratum: string;
    merkle_root_internal_hex: string;
    ntime: string;
    nbits: string;
  };
  expected: { midstate_hex: string };
}

interface RealBlock {
  hash: string;
  hex: string;
}

const vectors = readFixtureJson<MidstateVector[]>('bitcoin/stratum-sessions.json');
const blocks = readFixtureJson<{ blocks: RealBlock[] }>('bitcoin/blocks-real.json').blocks;

describe('SHA-256 midstate', () => {
  it('matches the ESP-Miner BM1397 midstate vector', () => {
    const v = vectors.find((x) => x.id === 'espminer-bm1397-midstate')!;
    const f = v.header_fields;
    const header = new Uint8Array(80);
    writeHeader(
      header,
      Number.parseInt(f.version, 16),
      stratumPrevhashToHeader(f.prevhash_stratum),
      hexToBytes(f.merkle_root_internal_hex),
      Number.parseInt(f.ntime, 16),
      Number.parseInt(f.nbits, 16),
      0,
    );
    // ESP-Miner prints each state word little-endian (the ASIC's order); ours are big-endian.
    const mid = headerMidstate(header);
    const wordsLE = new Uint8Array(32);
    for (let i = 0; i < 32; i++) wordsLE[i] = mid[(i & ~3) + 3 - (i & 3)]!;
    expect(bytesToHex(wordsLE)).toBe(v.expected.midstate_hex.toLowerCase());
    expect(bytesToHex(mid)).toBe('52eadf9168739f8a5d490d3d1574ddd6cb21cae1e35917415f7d5de04d3185f2');
  });

  it('finishing the compression from the midstate gives sha256 of every real header', () => {
    for (const b of blocks) {
      const header = hexToBytes(b.hex.slice(0, 160));
      const mid = headerMidstate(header);
      expect(bytesToHex(finishSha256(mid, header.subarray(64), 64))).toBe(bytesToHex(sha256(header)));
    }
  });

  it('finishes messages of other lengths (padding across a block boundary)', () => {
    const msg = new Uint8Array(64 + 60).map((_, i) => (i * 7) & 0xff);
    const mid = headerMidstate(msg);
    expect(bytesToHex(finishSha256(mid, msg.subarray(64), 64))).toBe(bytesToHex(sha256(msg)));
  });

  it('refuses a prefix that is not whole blocks', () => {
    expect(() => finishSha256(new Uint8Array(32), new Uint8Array(4), 10)).toThrow(RangeError);
  });
});
