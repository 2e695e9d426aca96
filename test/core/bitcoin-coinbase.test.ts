import { describe, expect, it } from 'vitest';
import {
  addressToScript,
  assembleBlock,
  assembleCoinbase,
  blockWitnessCommitment,
  buildCoinbase,
  bytesToHex,
  hexToBytes,
  merkleBranch,
  merkleRoot,
  parseBlock,
  parseTx,
  readBip34Height,
  reversed,
  rootFromBranch,
  serializeHeader,
  sha256d,
  txid,
  witnessCommitmentScript,
  type BlockTemplate,
} from '@farmhand/core/bitcoin';
import { readFixtureJson } from '../support/fixtures.js';

const testnetGbt = readFixtureJson<{ result: BlockTemplate }>(
  'bitcoin/gbt-testnet3-2442185-public-pool.json',
).result;
const coreGbt = readFixtureJson<BlockTemplate>('bitcoin/regtest-core-v31/gbt-height108-5tx.json');

function script(address: string, network: 'testnet' | 'regtest'): Uint8Array {
  const r = addressToScript(address, network);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.scriptPubKey;
}

describe('coinbase from a real getblocktemplate', () => {
  it("branches from the template's txids equal the ones public-pool sent the Bitaxe", () => {
    const branch = merkleBranch(testnetGbt.transactions.map((t) => reversed(hexToBytes(t.txid))));
    expect(branch.map(bytesToHex)).toEqual([
      '175335649d5e8746982969ec88f52e85ac9917106fba5468e699c8879ab974a1',
      'd5644ab3e708c54cd68dc5aedc92b8d3037449687f92ec41ed6e37673d969d4a',
      '5c9ec187517edc0698556cca5ce27e54c96acb014770599ed9df4d4937fbf2b0',
    ]);
  });

  it('witness commitments recompute from the wtxids of both real templates', () => {
    for (const t of [testnetGbt, coreGbt]) {
      const wtxids = t.transactions.map((tx) => reversed(hexToBytes(tx.hash!)));
      expect(bytesToHex(witnessCommitmentScript(wtxids))).toBe(t.default_witness_commitment);
    }
  });

  it('builds a coinbase with BIP34 height, tag, extranonce slot, full reward and witness commitment', () => {
    const payout = script('tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4', 'testnet');
    const r = buildCoinbase(testnetGbt, { payoutScript: payout, extranonceSize: 8, tag: '/farmhand/' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const extranonce = hexToBytes('57a6f098c7080000');
    const tx = parseTx(assembleCoinbase(r.value, extranonce));
    const scriptSig = tx.inputs[0]!.scriptSig;
    expect(readBip34Height(scriptSig)).toBe(2442185);
    expect(bytesToHex(scriptSig)).toContain(bytesToHex(extranonce));
    expect(Buffer.from(scriptSig).toString('latin1')).toContain('/farmhand/');
    expect(tx.outputs.map((o) => bytesToHex(o.script))).toEqual([
      bytesToHex(payout),
      testnetGbt.default_witness_commitment,
    ]);
    expect(tx.outputs[0]!.value).toBe(2465717n);
    expect(tx.outputs[1]!.value).toBe(0n);
    expect(bytesToHex(tx.inputs[0]!.prevTxid)).toBe('00'.repeat(32));
    expect(tx.inputs[0]!.prevIndex).toBe(0xffffffff);
    // coinb1 ends exactly where the extranonce starts.
    expect(r.value.coinb1.length + 8 + r.value.coinb2.length).toBe(
      assembleCoinbase(r.value, extranonce).length,
    );
  });

  it('regtest template → coinbase → block: merkle root, witness commitment and header all agree', () => {
    const payout = script('bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5', 'regtest');
    const r = buildCoinbase(coreGbt, {
      payoutScript: payout,
      extranonceSize: 8,
      version: 2,
      sequence: 0xfffffffe,
      locktime: 107,
    });
    if (!r.ok) throw new Error(r.error.message);
    const coinbase = assembleCoinbase(r.value, hexToBytes('0000000100000002'));
    const branch = merkleBranch(coreGbt.transactions.map((t) => reversed(hexToBytes(t.txid))));
    const root = rootFromBranch(sha256d(coinbase), branch);
    const header = serializeHeader({
      version: coreGbt.version,
      prevHash: reversed(hexToBytes(coreGbt.previousblockhash)),
      merkleRoot: root,
      time: coreGbt.curtime,
      bits: Number.parseInt(coreGbt.bits, 16),
      nonce: 0,
    });
    const block = parseBlock(
      assembleBlock(
        header,
        coinbase,
        coreGbt.transactions.map((t) => t.data),
        true,
      ),
    );
    expect(block.transactions.length).toBe(6);
    expect(bytesToHex(merkleRoot(block.transactions.map(txid)))).toBe(bytesToHex(root));
    const commitment = blockWitnessCommitment(block)!;
    const commitmentOutput = block.transactions[0]!.outputs.at(-1)!.script;
    expect(bytesToHex(commitmentOutput.subarray(6))).toBe(bytesToHex(commitment));
    expect(bytesToHex(block.transactions[0]!.inputs[0]!.witness[0]!)).toBe('00'.repeat(32));
  });

  it('refuses a scriptSig over 100 bytes and a bad extranonce size with typed errors', () => {
    const payout = script('tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4', 'testnet');
    const long = buildCoinbase(testnetGbt, { payoutScript: payout, extranonceSize: 8, tag: 'x'.repeat(95) });
    expect(!long.ok && long.error.code).toBe('COINBASE_TOO_LONG');
    const bad = buildCoinbase(testnetGbt, { payoutScript: payout, extranonceSize: 0 });
    expect(!bad.ok && bad.error.code).toBe('COINBASE_BAD_EXTRANONCE');
  });

  it('a template without transactions on a segwit chain still commits (to the coinbase alone)', () => {
    const empty = readFixtureJson<BlockTemplate>('bitcoin/regtest-core-v31/gbt-height107-empty.json');
    const payout = script('bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5', 'regtest');
    const r = buildCoinbase(empty, { payoutScript: payout, extranonceSize: 8 });
    if (!r.ok) throw new Error(r.error.message);
    const tx = parseTx(assembleCoinbase(r.value, new Uint8Array(8)));
    expect(readBip34Height(tx.inputs[0]!.scriptSig)).toBe(empty.height);
    expect(bytesToHex(tx.outputs.at(-1)!.script)).toBe(
      empty.default_witness_commitment ?? bytesToHex(witnessCommitmentScript([])),
    );
  });
});
