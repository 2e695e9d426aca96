// Merged mining end to end: fake bitcoind (hard parent target) + jobmaster with one easy aux chain +
// gateway + metawriter + a real redis-server. Shares from a direct miner and from an agent's SHARES
// record meet the aux target but not the parent's: the gateway reports them, the aux chain's RPC gets a
// valid AuxPoW, and Redis `newblock` names the aux chain.
import { describe, expect, it } from 'vitest';
import { bitsToTarget, bytesToHex } from '@farmhand/core/bitcoin';
import type { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/regtest-template.js';
import type { RunningGateway } from '../../pool/src/gateway/gateway.js';
import type { GatewayJob } from '../../pool/src/gateway/work-book.js';
import { TestAuxChain } from './aux-chain-rpc.js';
import { TestAgent, TestMiner, mineRecord, until } from './gateway-peers.js';
import {
  startJobmaster,
  startTestGateway,
  startTestMetawriter,
  tempDir,
  useCleanups,
  useRedis,
} from './pool-harness.js';

const TOKEN = 'agent-3-secret-token';
/** Share difficulty: ~4300 hashes a share; the parent (difficulty 1) is a million times out of reach. */
const D = 1e-6;
const PARENT_BITS = '1d00ffff';

const local = useRedis();
const cleanup = useCleanups();

interface NewBlock {
  user: string;
  worker: string;
  name: string;
  hash: string;
}

async function newblocks(): Promise<NewBlock[]> {
  return (await local.client.lrange('newblock', 0, -1)).map((e) => JSON.parse(e) as NewBlock);
}

/** The gateway's current job when its coinbase commits to aux block `hash` (one chain: root = hash). */
function committing(gw: RunningGateway, hash: string): GatewayJob | undefined {
  const job = gw.work.current;
  return job?.stratum.coinb1.includes('fabe6d6d' + hash) ? job : undefined;
}

/** Polls Redis until `count` newblock entries are there. */
async function newblocksUntil(count: number): Promise<NewBlock[]> {
  for (let i = 0; i < 1000; i++) {
    const list = await newblocks();
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${count} newblock entries`);
}

/** Fake bitcoind at difficulty 1, the jobmaster merge-mining `auxcoin`, a metawriter and a gateway. */
async function pool(chain: TestAuxChain): Promise<{ gw: RunningGateway; node: FakeBitcoind }> {
  const auxUrl = await chain.listen();
  cleanup.push(() => chain.close());
  const target = bitsToTarget(Number.parseInt(PARENT_BITS, 16)).toString(16).padStart(64, '0');
  const { node, port } = await startJobmaster(cleanup, {
    node: { template: { ...REGTEST_TEMPLATE_108, bits: PARENT_BITS, target } },
    jobmaster: {
      extranonceSize: 12,
      pollIntervalMs: 200,
      auxChains: [{ name: 'auxcoin', url: auxUrl, address: 'aux-address' }],
    },
  });
  const mw = await startTestMetawriter(cleanup, local.server.url);
  const { gw } = await startTestGateway(cleanup, {
    name: 'gw-aux',
    agent: { id: 'farm-3', token: TOKEN },
    difficulty: D,
    jobmasterPort: port,
    metawriterPort: mw.address.port,
    spoolDir: tempDir(cleanup, 'farmhand-auxgw-'),
  });
  // Wait for a job whose coinbase commits to the aux chain's work.
  await until(() => gw.work.current?.auxTarget, 10_000, 'a job with an aux target at the gateway');
  return { gw, node };
}

describe('merged mining through the gateway', () => {
  it('a direct miner’s share and an agent’s record meet the aux target only: the aux chain gets valid AuxPoWs, Redis newblock names it', async () => {
    await local.client.flushall();
    const chain = new TestAuxChain(7, '207fffff'); // every D share meets it
    const { gw, node } = await pool(chain);
    // The JOB's aux target reached the gateway as little-endian bytes.
    expect(bytesToHex(gw.work.current!.auxTarget!)).toBe('00'.repeat(29) + 'ffff7f');

    // A direct miner: its one share misses the parent target, meets the aux target.
    const m = new TestMiner(gw.stratumPort, 'alice.rig1');
    cleanup.push(() => m.close());
    await m.start();
    const firstAux = chain.hash;
    const first = await until(() => committing(gw, firstAux), 10_000, 'a job committing to the aux block');
    await until(() => m.job?.jobId === first.id, 10_000, 'the committing job at the miner');
    const s = await m.submit();
    expect(s.ok).toBe(true);
    await until(() => chain.submissions.length === 1, 10_000, 'the AuxPoW at the aux chain');
    expect(chain.submissions[0]).toEqual({ hash: firstAux, ok: true });
    expect(await newblocksUntil(1)).toEqual([
      { user: 'alice', worker: 'rig1', name: 'auxcoin', hash: firstAux },
    ]);

    // An agent's SHARES record on the job committing to the aux chain's next block.
    const secondAux = chain.hash;
    expect(secondAux).not.toBe(firstAux); // the aux chain moved on after its block
    const next = await until(
      () => committing(gw, secondAux),
      10_000,
      'a job committing to the next aux block',
    );
    const ag = new TestAgent(gw.uplinkPort);
    cleanup.push(() => ag.close());
    const w = await ag.login('farm-3', TOKEN);
    await until(() => ag.lastJob()?.jobId === Number.parseInt(next.id, 16), 5000, 'the JOB at the agent');
    ag.send({ type: 'event', kind: 'authorize', worker: 1, name: 'acme.rack1', peer: '', at: 1 });
    const rec = mineRecord(next.stratum, bytesToHex(w.extranoncePrefix), w.extranonce2Size, 1, 1, D);
    const ack = await ag.ackFor(
      ag.send({ type: 'shares', extranonce2Size: w.extranonce2Size, records: [rec] }),
    );
    expect(ack.rejected).toEqual([]);
    await until(() => chain.submissions.length === 2, 10_000, 'the agent share’s AuxPoW');
    expect(chain.submissions[1]).toEqual({ hash: secondAux, ok: true });
    expect((await newblocksUntil(2))[1]).toEqual({
      user: 'acme',
      worker: 'rack1',
      name: 'auxcoin',
      hash: secondAux,
    });

    // Neither share was a parent block: the node got nothing, the gateway counted two aux shares.
    expect(node.acceptedBlocks()).toEqual([]);
    expect(gw.counters).toMatchObject({ blocks: 0, auxShares: 2, auxBlocks: 2, sharesAccepted: 2 });
  });
});
