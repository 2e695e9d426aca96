import { describe, expect, it } from 'vitest';
import {
  assembleBlock,
  blockMerkleRoot,
  blockWitnessCommitment,
  bytesToHex,
  hexToBytes,
  headerHashHex,
  merkleBranch,
  merkleRoot,
  parseBlock,
  parseTx,
  readBip34Height,
  reversed,
  rootFromBranch,
  serializeTx,
  txid,
  wtxid,
} from '@farmhand/core/bitcoin';
import { readFixture, readFixtureJson } from '../support/fixtures.js';

interface RealBlock {
  hash: string;
  height: number | null;
  description: string;
  witness_commitment: string | null;
  hex: string;
  network: string;
}

const blocks = readFixtureJson<{ blocks: RealBlock[] }>('bitcoin/blocks-real.json').blocks;
// Entries that carry every transaction (not header-only or header+coinbase extracts).
const fullBlocks = blocks.filter((b) => b.hex.length > 160 && !b.description.startsWith('Headers'));

describe('real blocks', () => {
  it.each(blocks.map((b) => [b.hash, b] as const))('header of %s hashes to the real block hash', (_h, b) => {
    expect(headerHashHex(hexToBytes(b.hex.slice(0, 160)))).toBe(b.hash);
  });

  it.each(fullBlocks.map((b) => [b.hash, b] as const))(
    'block %s parses; merkle root and witness commitment recompute',
    (_h, b) => {
      const block = parseBlock(hexToBytes(b.hex));
      expect(bytesToHex(blockMerkleRoot(block))).toBe(bytesToHex(block.header.merkleRoot));
      const commitment = blockWitnessCommitment(block);
      if (b.witness_commitment) expect(commitment && bytesToHex(commitment)).toBe(b.witness_commitment);
      // Re-serializing every transaction gives back the block's bytes.
      const again = assembleBlock(
        block.headerBytes,
        serializeTx(block.transactions[0]!, false),
        block.transactions.slice(1).map((t) => serializeTx(t)),
        commitment !== null,
      );
      expect(bytesToHex(again)).toBe(b.hex);
    },
  );

  it('the 103-transaction testnet block: the Stratum branch folds the coinbase up to its merkle root', () => {
    const big = fullBlocks.reduce((a, b) => (a.hex.length > b.hex.length ? a : b));
    const block = parseBlock(hexToBytes(big.hex));
    expect(block.transactions.length).toBe(103);
    const ids = block.transactions.map(txid);
    const branch = merkleBranch(ids.slice(1));
    expect(branch.length).toBe(7); // ceil(log2(103))
    expect(bytesToHex(rootFromBranch(ids[0]!, branch))).toBe(bytesToHex(merkleRoot(ids)));
    expect(bytesToHex(rootFromBranch(ids[0]!, branch))).toBe(bytesToHex(block.header.merkleRoot));
  });

  it('BIP34 heights read back from real coinbases', () => {
    for (const b of fullBlocks.filter((x) => x.height !== null && x.height > 0)) {
      const block = parseBlock(hexToBytes(b.hex));
      expect(readBip34Height(block.transactions[0]!.inputs[0]!.scriptSig)).toBe(b.height);
    }
  });
});

describe('Bitcoin Core 31 regtest block 108', () => {
  const template = readFixtureJson<{ transactions: { data: string; txid: string; hash: string }[] }>(
    'bitcoin/regtest-core-v31/gbt-height108-5tx.json',
  );
  const coreHex = readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim();
  const info = readFixtureJson<{ hash: string; merkleroot: string; tx: string[] }>(
    'bitcoin/regtest-core-v31/block-height108.json',
  );

  it('template transactions hash to their txid and wtxid', () => {
    for (const t of template.transactions) {
      const tx = parseTx(hexToBytes(t.data));
      expect(bytesToHex(reversed(txid(tx)))).toBe(t.txid);
      expect(bytesToHex(reversed(wtxid(tx)))).toBe(t.hash);
    }
  });

  it("given Core's coinbase, assembling header + coinbase + template transactions gives Core's bytes exactly", () => {
    const core = parseBlock(hexToBytes(coreHex));
    const strippedCoinbase = serializeTx(core.transactions[0]!, false);
    const ids = [
      txid(core.transactions[0]!),
      ...template.transactions.map((t) => reversed(hexToBytes(t.txid))),
    ];
    expect(bytesToHex(reversed(merkleRoot(ids)))).toBe(info.merkleroot);
    const assembled = assembleBlock(
      core.headerBytes,
      strippedCoinbase,
      template.transactions.map((t) => t.data),
      true,
    );
    expect(bytesToHex(assembled)).toBe(coreHex);
    expect(headerHashHex(core.headerBytes)).toBe(info.hash);
    expect(core.transactions.map((t) => bytesToHex(reversed(txid(t))))).toEqual(info.tx);
  });
});
