import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  hexToBytes,
  parseBlock,
  serializeTx,
  sha256d,
  wtxid,
  txid,
  type Block,
} from '@farmhand/core/bitcoin';
import {
  buildCompactBlock,
  completeReconstruction,
  compactHash,
  decodePayload,
  encodePayload,
  answerGetBlockTxn,
  serializeBlock,
  shortId,
  shortIdKey,
  siphash24,
  startReconstruction,
  type CmpctBlockMessage,
} from '@farmhand/core/p2p';
import { readFixture, readFixtureJson } from '../support/fixtures.js';

interface RealBlock {
  hash: string;
  height: number | null;
  hex: string;
  network: string;
}
const blocks = readFixtureJson<{ blocks: RealBlock[] }>('bitcoin/blocks-real.json').blocks;
const byHash = (prefix: string) => {
  const b = blocks.find((x) => x.hash.startsWith(prefix));
  if (!b) throw new Error(`fixture block ${prefix} missing`);
  return b;
};
const genesis = byHash('000000000019d6');
const tn103 = byHash('000000000c9f25eb'); // testnet3, 103 transactions, no witness
const tn924634 = byHash('000000000000045e'); // testnet3, segwit, 15 transactions
const regtest108 = readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim();

const K0 = 0x0706050403020100n;
const K1 = 0x0f0e0d0c0b0a0908n;

describe('SipHash-2-4', () => {
  // Reference vectors of the SipHash paper (key 00..0f, message 00..n-1), as listed in Bitcoin Core
  // src/test/hash_tests.cpp (siphash_4_2_testvec) @ 499651045e61e716665de94384f06d1f93b830f9.
  const REF = [
    0x726fdb47dd0e0e31n,
    0x74f839c593dc67fdn,
    0x0d6c8009d9a94f5an,
    0x85676696d7fb7e2dn,
    0xcf2794e0277187b7n,
    0x18765564cd99a68dn,
    0xcbc9466e58fee3cen,
    0xab0200f58b01d137n,
    0x93f5f5799a932462n,
    0x9e0082df0ba9e4b0n,
    0x7a5dbbc594ddb9f3n,
    0xf4b32f46226bada7n,
    0x751e8fbc860ee5fbn,
    0x14ea5627c0843d90n,
    0xf723ca908e7af2een,
    0xa129ca6149be45e5n,
  ];
  it('matches the reference vectors for messages of 0..15 bytes', () => {
    REF.forEach((want, n) => {
      const msg = Uint8Array.from({ length: n }, (_, i) => i);
      expect(siphash24(K0, K1, msg)).toBe(want);
    });
  });
  it('matches Bitcoin Core SipHashUint256 on the 32-byte hash 00..1f (the short-id input size)', () => {
    // hash_tests.cpp: SipHashUint256(k0, k1, uint256S("1f1e…00")) == 0x7127512f72f27cce; uint256S
    // reads display order, so the hashed bytes are 00 01 … 1f.
    const h = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(siphash24(K0, K1, h)).toBe(0x7127512f72f27ccen);
    // A short id is that value with the top two bytes dropped.
    expect(shortId({ k0: K0, k1: K1 }, h)).toBe(0x512f72f27cce);
  });
});

function reconstructWith(block: Block, msg: CmpctBlockMessage, version: 1 | 2, drop: Set<number>) {
  const known = block.transactions
    .map((tx, i) => ({ i, tx }))
    .filter(({ i }) => i > 0 && !drop.has(i))
    .map(({ tx }) => ({ hash: compactHash(tx, version), tx }));
  // Unrelated transactions in the "mempool" must not disturb anything.
  const other = parseBlock(hexToBytes(tn924634.hex)).transactions.slice(1, 4);
  known.push(...other.map((tx) => ({ hash: compactHash(tx, version), tx })));
  return startReconstruction(msg, known);
}

describe('BIP152 compact blocks', () => {
  it('short-id key is sha256(header ‖ nonce) read as two LE u64s', () => {
    const header = hexToBytes(genesis.hex).slice(0, 80);
    const k = shortIdKey(header, 0n);
    const h = sha256d(Uint8Array.of()); // not the key: sanity that the key is single SHA-256
    expect(k.k0).not.toBe(new DataView(h.buffer).getBigUint64(0, true));
    expect(typeof k.k1).toBe('bigint');
  });

  it('rebuilds the real 103-transaction testnet block (version 1, txids) with 3 transactions missing', () => {
    const raw = hexToBytes(tn103.hex);
    const block = parseBlock(raw);
    const msg = buildCompactBlock(block, 0x1122334455667788n, 1);
    expect(msg.shortIds).toHaveLength(102);
    // The wire form round-trips.
    const wire = decodePayload('cmpctblock', encodePayload(msg));
    if (!wire.ok || wire.value.type !== 'cmpctblock') throw new Error('cmpctblock did not decode');
    expect(encodePayload(wire.value).length).toBeLessThan(raw.length / 4);
    const partial = reconstructWith(block, wire.value, 1, new Set([5, 50, 102]));
    if (!partial.ok) throw new Error(partial.error.message);
    expect(partial.value.missing).toEqual([5, 50, 102]);
    // getblocktxn/blocktxn round trip over the wire form.
    const req = {
      type: 'getblocktxn' as const,
      blockHash: sha256d(block.headerBytes),
      indexes: partial.value.missing,
    };
    const reqWire = decodePayload('getblocktxn', encodePayload(req));
    if (!reqWire.ok || reqWire.value.type !== 'getblocktxn') throw new Error();
    expect(reqWire.value.indexes).toEqual([5, 50, 102]);
    const answer = answerGetBlockTxn(block, reqWire.value);
    if (!answer.ok) throw new Error();
    const ansWire = decodePayload('blocktxn', encodePayload(answer.value));
    if (!ansWire.ok || ansWire.value.type !== 'blocktxn') throw new Error();
    const full = completeReconstruction(partial.value, ansWire.value.txs);
    if (!full.ok) throw new Error(full.error.message);
    expect(bytesToHex(serializeBlock(full.value))).toBe(tn103.hex);
  });

  it('rebuilds the real regtest segwit block 108 (version 2, wtxids) from the mempool alone', () => {
    const raw = hexToBytes(regtest108);
    const block = parseBlock(raw);
    expect(block.transactions.some((t) => bytesToHex(wtxid(t)) !== bytesToHex(txid(t)))).toBe(true);
    const msg = buildCompactBlock(block, 7n, 2);
    const partial = reconstructWith(block, msg, 2, new Set());
    if (!partial.ok) throw new Error(partial.error.message);
    expect(partial.value.missing).toEqual([]);
    const full = completeReconstruction(partial.value, []);
    if (!full.ok) throw new Error(full.error.message);
    expect(bytesToHex(serializeBlock(full.value))).toBe(regtest108);
    // With txids instead of wtxids (the wrong version) nothing matches.
    const wrong = startReconstruction(
      msg,
      block.transactions.slice(1).map((tx) => ({ hash: txid(tx), tx })),
    );
    const witnessed = block.transactions.slice(1).filter((t) => bytesToHex(wtxid(t)) !== bytesToHex(txid(t)));
    expect(witnessed.length).toBeGreaterThan(0);
    expect(wrong.ok && wrong.value.missing.length).toBe(witnessed.length);
  });

  it('a wrong transaction in a slot is caught by the merkle root', () => {
    const block = parseBlock(hexToBytes(tn103.hex));
    const msg = buildCompactBlock(block, 1n, 1);
    const partial = reconstructWith(block, msg, 1, new Set([7]));
    if (!partial.ok) throw new Error();
    const wrongTx = block.transactions[8]!;
    const r = completeReconstruction(partial.value, [wrongTx]);
    expect(!r.ok && r.error.code).toBe('CMPCT_MISMATCH');
    expect(serializeTx(wrongTx).length).toBeGreaterThan(0);
  });
});
