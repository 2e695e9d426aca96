import { describe, expect, it } from 'vitest';
import {
  addressToScript,
  blockMerkleRoot,
  blockWitnessCommitment,
  bytesToHex,
  hexToBytes,
  parseBlock,
  readBip34Height,
  reversed,
  sha256d,
  type BlockTemplate,
} from '@farmhand/core/bitcoin';
import { assembleFoundBlock, blockSubsidy, buildJob, emptyBlockJob } from '@farmhand/core/job';
import { readFixtureJson } from '../support/fixtures.js';

const testnetGbt = readFixtureJson<{ result: BlockTemplate }>(
  'bitcoin/gbt-testnet3-2442185-public-pool.json',
).result;
const coreGbt = readFixtureJson<BlockTemplate>('bitcoin/regtest-core-v31/gbt-height108-5tx.json');
const sessions = readFixtureJson<{ id: string; notify_params: unknown[] }[]>('bitcoin/stratum-sessions.json');
const publicPool = sessions.find((s) => s.id === 'public-pool-bitaxe-testnet3-2442185')!;

function script(address: string, network: 'testnet' | 'regtest'): Uint8Array {
  const r = addressToScript(address, network);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.scriptPubKey;
}
const regtestPayout = script('bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5', 'regtest');

describe('buildJob', () => {
  it("matches public-pool's notify for the same testnet template: prevhash, branch, version, nbits", () => {
    const r = buildJob(testnetGbt, {
      payoutScript: script('tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4', 'testnet'),
      tag: '/farmhand/',
      extranonceSize: 8,
      jobId: '1',
    });
    if (!r.ok) throw new Error(r.error.message);
    const [, prevhash, , , branch, version, nbits] = publicPool.notify_params;
    expect(r.value.job.prevhash).toBe(prevhash);
    expect(r.value.job.merkleBranch).toEqual(branch);
    expect(r.value.job.version).toBe(version);
    expect(r.value.job.nbits).toBe(nbits);
    expect(r.value.job.ntime).toBe(testnetGbt.curtime.toString(16));
    expect(r.value.job.jobId).toBe('1');
    expect(r.value.job.cleanJobs).toBe(false);
    expect(r.value.template).toBe(testnetGbt);
  });

  it('refuses a malformed template with TEMPLATE_INVALID', () => {
    const r = buildJob(
      { ...coreGbt, previousblockhash: 'xyz' },
      { payoutScript: regtestPayout, extranonceSize: 8, jobId: '2' },
    );
    expect(!r.ok && r.error.code).toBe('TEMPLATE_INVALID');
  });
});

describe('assembleFoundBlock', () => {
  it('regtest Core template → a block that parses, with a verifying merkle root and witness commitment', () => {
    const r = buildJob(coreGbt, {
      payoutScript: regtestPayout,
      tag: '/farmhand/',
      extranonceSize: 8,
      jobId: 'a',
    });
    if (!r.ok) throw new Error(r.error.message);
    let found;
    // Regtest target 7fffff…: about half of all nonces solve the block.
    for (let nonce = 0; nonce < 64; nonce++) {
      const f = assembleFoundBlock(
        r.value,
        '0000000100000002',
        r.value.job.ntime,
        nonce,
        r.value.job.version,
      );
      if (!f.ok) throw new Error(f.error.message);
      if (f.value.meetsTarget) {
        found = f.value;
        break;
      }
    }
    expect(found).toBeDefined();
    const block = parseBlock(found!.block);
    expect(block.transactions.length).toBe(6);
    expect(bytesToHex(block.header.merkleRoot)).toBe(bytesToHex(blockMerkleRoot(block)));
    expect(bytesToHex(reversed(block.header.prevHash))).toBe(coreGbt.previousblockhash);
    expect(bytesToHex(reversed(sha256d(block.headerBytes)))).toBe(found!.hash);
    const commitment = blockWitnessCommitment(block)!;
    const out = block.transactions[0]!.outputs.at(-1)!.script;
    expect(bytesToHex(out)).toBe(coreGbt.default_witness_commitment);
    expect(bytesToHex(out.subarray(6))).toBe(bytesToHex(commitment));
    expect(readBip34Height(block.transactions[0]!.inputs[0]!.scriptSig)).toBe(108);
    expect(block.transactions[0]!.outputs[0]!.value).toBe(BigInt(coreGbt.coinbasevalue));
    // The template's transactions follow the coinbase byte for byte.
    expect(bytesToHex(found!.block)).toContain(coreGbt.transactions[4]!.data);
  });

  it('refuses an extranonce of the wrong size and a bad ntime', () => {
    const r = buildJob(coreGbt, { payoutScript: regtestPayout, extranonceSize: 8, jobId: 'b' });
    if (!r.ok) throw new Error(r.error.message);
    const short = assembleFoundBlock(r.value, '00', '00000000', 0, 0x20000000);
    expect(!short.ok && short.error.code).toBe('FOUND_BAD_FIELD');
    const ntime = assembleFoundBlock(r.value, hexToBytes('00'.repeat(8)), 'zz', 0, 0x20000000);
    expect(!ntime.ok && ntime.error.message).toContain('ntime');
  });
});

describe('emptyBlockJob', () => {
  it('mines on a new tip with no transactions, no witness commitment and the subsidy alone', () => {
    const r = emptyBlockJob(
      {
        height: 109,
        prevhash: '11'.repeat(32),
        bits: '207fffff',
        curtime: 1795568900,
        version: 0x20000000,
      },
      { payoutScript: regtestPayout, extranonceSize: 8, jobId: 'c', network: 'regtest', cleanJobs: true },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.job.merkleBranch).toEqual([]);
    expect(r.value.job.cleanJobs).toBe(true);
    expect(r.value.template.coinbasevalue).toBe(5_000_000_000);
    const f = assembleFoundBlock(r.value, '00'.repeat(8), r.value.job.ntime, 1, r.value.job.version);
    if (!f.ok) throw new Error(f.error.message);
    const block = parseBlock(f.value.block);
    expect(block.transactions.length).toBe(1);
    expect(block.transactions[0]!.outputs.length).toBe(1);
    expect(block.transactions[0]!.inputs[0]!.witness).toEqual([]);
    expect(bytesToHex(block.header.merkleRoot)).toBe(bytesToHex(blockMerkleRoot(block)));
  });

  it('subsidy halves at each network interval', () => {
    expect(blockSubsidy(0)).toBe(5_000_000_000);
    expect(blockSubsidy(210_000)).toBe(2_500_000_000);
    expect(blockSubsidy(840_000)).toBe(312_500_000);
    expect(blockSubsidy(150, 'regtest')).toBe(2_500_000_000);
    expect(blockSubsidy(64 * 210_000)).toBe(0);
  });
});
