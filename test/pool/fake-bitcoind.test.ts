import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressToScript,
  bitsToTarget,
  bytesToHex,
  concatBytes,
  hashMeetsTarget,
  hexToBytes,
  sha256d,
  targetToBytes,
  type BlockTemplate,
} from '@farmhand/core/bitcoin';
import { assembleFoundBlock, buildJob } from '@farmhand/core/job';
import { BitcoindClient } from '../../pool/src/bitcoind/index.js';
import { FakeBitcoind, REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/index.js';
import { readFixtureJson } from '../support/fixtures.js';

const answers = readFixtureJson<{ cases: { case: string; core_31: string | null }[] }>(
  'bitcoin/regtest-core-v31/submitblock-answers.json',
).cases;
const core = (c: string): string | null => answers.find((a) => a.case === c)!.core_31;

const payout = (() => {
  const r = addressToScript('bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5', 'regtest');
  if (!r.ok) throw new Error(r.error.message);
  return r.value.scriptPubKey;
})();

/** Sets the nonce until the header hash meets (or misses) the target of its bits; returns the new block. */
function grind(block: Uint8Array, meet: boolean): Uint8Array {
  const out = block.slice();
  const view = new DataView(out.buffer);
  const target = targetToBytes(bitsToTarget(view.getUint32(72, true)));
  for (let nonce = 0; nonce < 1 << 20; nonce++) {
    view.setUint32(76, nonce, true);
    if (hashMeetsTarget(sha256d(out.subarray(0, 80)), target) === meet) return out;
  }
  throw new Error('no nonce found');
}

function blockFrom(template: BlockTemplate, extranonce = '0000000000000001'): Uint8Array {
  const job = buildJob(template, { payoutScript: payout, tag: '/test/', extranonceSize: 8, jobId: '1' });
  if (!job.ok) throw new Error(job.error.message);
  const f = assembleFoundBlock(job.value, extranonce, job.value.job.ntime, 0, job.value.job.version);
  if (!f.ok) throw new Error(f.error.message);
  return grind(f.value.block, true);
}

let fake: FakeBitcoind;
let rpc: BitcoindClient;

beforeAll(async () => {
  fake = new FakeBitcoind({ longPollMs: 2000 });
  const { url } = await fake.listen();
  rpc = new BitcoindClient({ url, timeoutMs: 5000 });
});
afterAll(async () => {
  await rpc.close();
  await fake.close();
});

describe('fake bitcoind submitblock', () => {
  it('serves the embedded Core regtest template at height 108', async () => {
    const t = await rpc.getBlockTemplate();
    if (!t.ok) throw new Error(t.error.message);
    expect(t.value.height).toBe(108);
    expect(t.value.bits).toBe('207fffff');
    expect(t.value.transactions.length).toBe(5);
    expect(t.value.previousblockhash).toBe(REGTEST_TEMPLATE_108.previousblockhash);
    const info = await rpc.getBlockchainInfo();
    expect(info.ok && info.value.chain).toBe('regtest');
  });

  it('rejects each broken block with the reason Core gives', async () => {
    const t = fake.chain.template();
    const good = blockFrom(t);
    const submit = async (b: Uint8Array): Promise<string | null> => {
      const r = await rpc.submitBlock(bytesToHex(b));
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    expect(await submit(grind(good, false))).toBe(core('header hash above the target'));
    const badRoot = good.slice();
    badRoot[40] = badRoot[40]! ^ 1;
    expect(await submit(grind(badRoot, true))).toBe(core('wrong merkle root'));
    expect(await submit(blockFrom({ ...t, previousblockhash: '22'.repeat(32) }))).toBe(
      core('unknown previous block'),
    );
    expect(await submit(blockFrom({ ...t, height: 109 }))).toBe('bad-cb-height');
    expect(await submit(blockFrom({ ...t, coinbasevalue: t.coinbasevalue + 1 }))).toBe('bad-cb-amount');
    // A commitment that does not match the block's wtxids (the empty block's commitment on a 5-tx block).
    const wrongCommitment = REGTEST_TEMPLATE_108.default_witness_commitment!.replace(/..$/, '00');
    expect(await submit(blockFrom({ ...t, default_witness_commitment: wrongCommitment }))).toBe(
      'bad-witness-merkle-match',
    );
    const undecodable = await rpc.submitBlock('00ff');
    expect(!undecodable.ok && undecodable.rpcCode).toBe(-22);
    expect(fake.acceptedBlocks()).toEqual([]);
    expect((await rpc.getBlockCount()).ok && fake.chain.tip.height).toBe(107);
  });

  it('accepts a correctly built block, advances the tip, refuses it again as duplicate, siblings are inconclusive', async () => {
    const t = fake.chain.template();
    const block = blockFrom(t);
    const hash = bytesToHex(sha256d(block.subarray(0, 80)).reverse());
    expect((await rpc.submitBlock(bytesToHex(block))).ok && null).toBe(core('valid block'));
    expect(fake.acceptedBlocks().map((b) => b.hash)).toEqual([hash]);
    const best = await rpc.getBestBlockHash();
    expect(best.ok && best.value).toBe(hash);
    const count = await rpc.getBlockCount();
    expect(count.ok && count.value).toBe(108);
    const again = await rpc.submitBlock(bytesToHex(block));
    expect(again.ok && again.value).toBe(core('the same valid block again'));
    const sibling = await rpc.submitBlock(bytesToHex(blockFrom(t, '0000000000000002')));
    expect(sibling.ok && sibling.value).toBe(
      core('valid sibling of the current tip (same height, not the best chain)'),
    );
    const next = await rpc.getBlockTemplate();
    if (!next.ok) throw new Error(next.error.message);
    expect(next.value.height).toBe(109);
    expect(next.value.previousblockhash).toBe(hash);
    expect(next.value.transactions).toEqual([]);
    // The next block, built on the new tip, is accepted too (empty template, regtest subsidy).
    const second = await rpc.submitBlock(bytesToHex(blockFrom(next.value)));
    expect(second.ok && second.value).toBeNull();
    expect(fake.chain.tip.height).toBe(109);
  });

  it('answers a held long-poll when a block arrives', async () => {
    const t = await rpc.getBlockTemplate();
    if (!t.ok) throw new Error(t.error.message);
    const held = rpc.getBlockTemplate(t.value.longpollid, 5000);
    const accepted = await rpc.submitBlock(bytesToHex(blockFrom(t.value)));
    expect(accepted.ok && accepted.value).toBeNull();
    const answered = await held;
    expect(answered.ok && answered.value.height).toBe(t.value.height + 1);
  });

  it('insists on the segwit rule like Core', async () => {
    const r = await rpc.call('getblocktemplate', [{}]);
    expect(!r.ok && r.rpcCode).toBe(-8);
    expect(!r.ok && r.error.message).toContain('segwit rule');
  });
});

describe('embedded template', () => {
  it('is the shared Core regtest fixture, field for field', () => {
    const fixture = readFixtureJson<BlockTemplate>('bitcoin/regtest-core-v31/gbt-height108-5tx.json');
    expect(REGTEST_TEMPLATE_108.previousblockhash).toBe(fixture.previousblockhash);
    expect(REGTEST_TEMPLATE_108.default_witness_commitment).toBe(fixture.default_witness_commitment);
    expect(REGTEST_TEMPLATE_108.transactions.map((t) => t.data)).toEqual(
      fixture.transactions.map((t) => t.data),
    );
    expect(bytesToHex(concatBytes(hexToBytes(REGTEST_TEMPLATE_108.bits)))).toBe('207fffff');
  });
});
