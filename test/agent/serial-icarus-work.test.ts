import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  hashMeetsTarget,
  headerMidstate,
  headerHashHex,
  hexToBytes,
  reversed,
  sha256d,
  targetToBytes,
  DIFF1_TARGET,
} from '@farmhand/core/bitcoin';
import {
  ICARUS_GOLDEN_NONCE,
  ICARUS_GOLDEN_WORK,
  counterReply,
  decodeIcarusWork,
  encodeIcarusWork,
  headerNonce,
  icarusHash,
  nonceCounter,
} from '../../agent/src/serial/icarus-work.js';
import { readFixtureJson } from '../support/fixtures.js';

interface RealBlock {
  hash: string;
  hex: string;
  description: string;
}
const blocks = readFixtureJson<{ blocks: RealBlock[] }>('bitcoin/blocks-real.json').blocks;
const diff1 = targetToBytes(DIFF1_TARGET);

describe('Icarus work item', () => {
  // Mainnet block 370090 (the header-only entry): the item as docs/icarus.md shows it.
  const block = blocks.find((b) => b.hex.length === 160)!;
  const header = hexToBytes(block.hex);

  it('encodes a real header into the documented 64 bytes', () => {
    expect(bytesToHex(encodeIcarusWork(header))).toBe(ITEM_370090);
    expect(bytesToHex(headerMidstate(header))).toBe(
      '509027ce96d91b2807992483a4c65286f69bef8be5f2a0235c377de8c894cd8c',
    );
  });

  it('the device reply for the block is its nonce bytes; they hash to the block', () => {
    const item = encodeIcarusWork(header);
    const reply = header.slice(76, 80); // what the device sends: the header's nonce bytes
    const work = decodeIcarusWork(item);
    const hash = icarusHash(work, nonceCounter(reply));
    expect(bytesToHex(reversed(hash))).toBe(block.hash);
    expect(headerHashHex(header)).toBe(block.hash);
    // The Stratum submit carries the header's nonce field, a little-endian uint32.
    const expectedNonce = new DataView(header.buffer, header.byteOffset).getUint32(76, true);
    expect(headerNonce(reply)).toBe(expectedNonce);
    expect(bytesToHex(counterReply(nonceCounter(reply)))).toBe(bytesToHex(reply));
  });

  it('round-trips every real header and matches sha256d at its nonce', () => {
    for (const b of blocks) {
      const h = hexToBytes(b.hex.slice(0, 160));
      const work = decodeIcarusWork(encodeIcarusWork(h));
      expect(bytesToHex(icarusHash(work, nonceCounter(h.subarray(76, 80))))).toBe(bytesToHex(sha256d(h)));
    }
  });

  it('the golden detection item hashes to difficulty 1 at the golden nonce, and not one count earlier', () => {
    const work = decodeIcarusWork(ICARUS_GOLDEN_WORK);
    const golden = nonceCounter(ICARUS_GOLDEN_NONCE);
    expect(golden).toBe(0x000187a2);
    expect(hashMeetsTarget(icarusHash(work, golden), diff1)).toBe(true);
    expect(hashMeetsTarget(icarusHash(work, golden - 1), diff1)).toBe(false);
    // Block 171874's hash.
    expect(bytesToHex(reversed(icarusHash(work, golden)))).toMatch(/^00000000000004b6/);
  });
});

const ITEM_370090 =
  'c894cd8c5c377de8e5f2a023f69bef8ba4c652860799248396d91b28509027ce' +
  '000000000000000000000000000000000000000004dd1418913dd05587b30ab9';
