// The gateway with its real neighbours: jobmaster + fake bitcoind for found blocks, metawriter + a real
// redis-server for stats, and the disk spool while the metawriter is away.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  concatBytes,
  hexToBytes,
  rootFromBranch,
  serializeHeader,
  sha256d,
} from '@farmhand/core/bitcoin';
import { stratumPrevhashToHeader } from '@farmhand/core/stratum';
import type { GatewayConfigInput } from '../../pool/src/gateway/config.js';
import type { RunningGateway } from '../../pool/src/gateway/gateway.js';
import type { RunningMetawriter } from '../../pool/src/metawriter/metawriter.js';
import { freePort } from '../support/redis.js';
import { TestAgent, TestJobmaster, TestMiner, jmJob, mineRecord, until } from './gateway-peers.js';
import {
  startJobmaster,
  startTestGateway,
  startTestMetawriter,
  tempDir as tempDirIn,
  useCleanups,
  useRedis,
} from './pool-harness.js';

const D = 1e-6;
const TOKEN = 'agent-7-secret-token';

const local = useRedis();
const cleanup = useCleanups();

function tempDir(): string {
  return tempDirIn(cleanup, 'farmhand-gw-');
}

async function gateway(
  jobmasterPort: number,
  metawriterPort: number,
  spoolDir: string,
  over: Partial<GatewayConfigInput> = {},
) {
  const started = await startTestGateway(
    cleanup,
    {
      name: 'gw-pipe',
      agent: { id: 'farm-7', token: TOKEN },
      difficulty: D,
      jobmasterPort,
      metawriterPort,
      spoolDir,
    },
    over,
  );
  await until(() => started.gw.work.current, 10_000, 'the first job at the gateway');
  return started;
}

async function metawriter(port = 0): Promise<RunningMetawriter> {
  return startTestMetawriter(cleanup, local.server.url, port);
}

function miner(gw: RunningGateway, user: string): TestMiner {
  const m = new TestMiner(gw.stratumPort, user);
  cleanup.push(() => m.close());
  return m;
}

function agent(gw: RunningGateway): TestAgent {
  const a = new TestAgent(gw.uplinkPort);
  cleanup.push(() => a.close());
  return a;
}

async function sumHash(key: string): Promise<number> {
  const h = await local.client.hgetall(key);
  return Object.values(h).reduce((s, v) => s + Number(v), 0);
}

describe('gateway → jobmaster → fake bitcoind', () => {
  it('a block from a direct miner and one from an agent (BLOCK ahead of its record) are accepted by the node', async () => {
    const { node: fake, port } = await startJobmaster(cleanup, { jobmaster: { extranonceSize: 12 } });
    const { gw } = await gateway(port, await freePort(), tempDir());

    // Regtest's target is easier than difficulty 1e-6, so every accepted share is a block.
    const m = miner(gw, 'alice.rig1');
    await m.start();
    const first = gw.work.current!.id;
    const s = await m.submit();
    expect(s.ok).toBe(true);
    await until(() => fake.acceptedBlocks().length === 1, 10_000, 'the first block at the node');
    expect(gw.counters.blocks).toBe(1);

    // The new tip brings a new job; an agent finds the next block.
    const next = await until(
      () => gw.work.current!.id !== first && gw.work.current!,
      10_000,
      'the job on the new tip',
    );
    const ag = agent(gw);
    const w = await ag.login('farm-7', TOKEN);
    await until(() => ag.lastJob()?.jobId === Number.parseInt(next.id, 16), 5000, 'JOB on the new tip');
    ag.send({ type: 'event', kind: 'authorize', worker: 1, name: 'acme.rack1', peer: '', at: 1 });
    const prefix = bytesToHex(w.extranoncePrefix);
    const rec = mineRecord(next.stratum, prefix, 8, 500, 1, D);
    const coinbase = concatBytes(
      hexToBytes(next.stratum.coinb1),
      w.extranoncePrefix,
      rec.extranonce2,
      hexToBytes(next.stratum.coinb2),
    );
    const header = serializeHeader({
      version: Number.parseInt(next.stratum.version, 16),
      prevHash: stratumPrevhashToHeader(next.stratum.prevhash),
      merkleRoot: rootFromBranch(sha256d(coinbase), next.stratum.merkleBranch.map(hexToBytes)),
      time: Number.parseInt(next.stratum.ntime, 16),
      bits: Number.parseInt(next.stratum.nbits, 16),
      nonce: rec.nonce,
    });
    ag.send({ type: 'block', seq: 500, jobId: rec.jobId, worker: 1, header, coinbase });
    await until(() => fake.acceptedBlocks().length === 2, 10_000, 'the agent block at the node');
    const f = ag.send({ type: 'shares', extranonce2Size: 8, records: [rec] });
    const ack = await ag.ackFor(f);
    expect(ack.rejected).toEqual([]); // already credited through BLOCK: acked, not counted again
    expect(gw.counters).toMatchObject({ blocks: 2, sharesAccepted: 2 });
  });
});

describe('gateway → metawriter → Redis', () => {
  it('per-user and per-worker keys equal what the miner and the agent submitted', async () => {
    await local.client.flushall();
    const jm = new TestJobmaster(jmJob('7', { bits: '1d00ffff' }));
    await jm.listen();
    cleanup.push(() => jm.close());
    const mw = await metawriter();
    const { gw } = await gateway(jm.port, mw.address.port, tempDir());

    const m = miner(gw, 'alice.rig1');
    await m.start();
    for (let i = 0; i < 3; i++) expect((await m.submit()).ok).toBe(true);
    expect((await m.submit({ bad: true })).ok).toBe(false);

    const ag = agent(gw);
    const w = await ag.login('farm-7', TOKEN);
    ag.send({
      type: 'event',
      kind: 'authorize',
      worker: 2,
      name: 'acme.rack1',
      peer: '10.0.0.9:4028',
      at: 1,
    });
    const job = gw.work.current!.stratum;
    const prefix = bytesToHex(w.extranoncePrefix);
    const records = [
      mineRecord(job, prefix, 8, 1, 2, D),
      mineRecord(job, prefix, 8, 2, 2, D),
      mineRecord(job, prefix, 8, 3, 2, D, true),
    ];
    const ack = await ag.ackFor(ag.send({ type: 'shares', extranonce2Size: 8, records }));
    expect(ack.rejected.map((r) => r.index)).toEqual([2]);

    gw.stats.flush(Infinity);
    await until(
      () => gw.stats.spool.pending === 0 && gw.stats.sender.acked > 0,
      10_000,
      'the batches to be acked',
    );
    expect(await sumHash('btc:s:alice:rig1')).toBe(3);
    expect(await sumHash('btc:s:alice')).toBe(3);
    expect(await sumHash('btc:s:alice:rig1:reject')).toBe(1);
    expect(await sumHash('btc:s:acme:rack1')).toBe(2);
    expect(await sumHash('btc:s:acme:rack1:reject')).toBe(1);
    expect(await sumHash('btc:m:share')).toBe(5);
    expect(await sumHash('btc:mh:gw-pipe.local:reject')).toBe(2);
    // goal = difficulty / network difficulty (1 for nBits 1d00ffff), per user
    expect(await sumHash('btc:g:alice')).toBeCloseTo(3 * D, 12);
    const events = (await local.client.lrange('newevent', 0, -1)).map(
      (e) => JSON.parse(e) as { user: string; worker: string; event: string },
    );
    expect(events).toContainEqual(
      expect.objectContaining({ user: 'alice', worker: 'rig1', event: 'connected' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ user: 'acme', worker: 'rack1', event: 'connected', peer: '10.0.0.9' }),
    );
  });

  it('metawriter away → batches spooled to disk (across a gateway restart) → metawriter back → all arrive once', async () => {
    await local.client.flushall();
    const jm = new TestJobmaster(jmJob('8', { bits: '1d00ffff' }));
    await jm.listen();
    cleanup.push(() => jm.close());
    const mwPort = await freePort(); // nothing listens yet
    const spool = tempDir();

    const one = await gateway(jm.port, mwPort, spool);
    const m = miner(one.gw, 'bob.r1');
    await m.start();
    for (let i = 0; i < 2; i++) expect((await m.submit()).ok).toBe(true);
    one.gw.stats.flush(Infinity);
    const firstSeqs = one.gw.stats.spool.next(-1, 1000);
    expect(firstSeqs.length).toBeGreaterThan(0);
    expect(readdirSync(spool).some((f) => f.endsWith('.jsonl'))).toBe(true);
    m.close();
    await one.stop();

    // A restarted gateway reads the spool back and never reuses a batch seq.
    const two = await gateway(jm.port, mwPort, spool);
    expect(two.gw.stats.spool.next(-1, 1000)).toEqual(firstSeqs);
    const m2 = miner(two.gw, 'bob.r1');
    await m2.start();
    expect((await m2.submit()).ok).toBe(true);
    two.gw.stats.flush(Infinity);
    const all = two.gw.stats.spool.next(-1, 1000);
    expect(all.slice(0, firstSeqs.length)).toEqual(firstSeqs);
    expect(Math.min(...all.slice(firstSeqs.length))).toBeGreaterThan(Math.max(...firstSeqs));

    await metawriter(mwPort);
    await until(() => two.gw.stats.spool.pending === 0, 15_000, 'the spool to drain');
    expect(await sumHash('btc:s:bob:r1')).toBe(3);
    await until(
      () => readdirSync(spool).every((f) => !f.endsWith('.jsonl') || f === currentSegment(spool)),
      5000,
      'acked segments deleted',
    );

    // Nothing is sent twice: a third start finds nothing to replay.
    m2.close();
    await two.stop();
    const three = await gateway(jm.port, mwPort, spool);
    expect(three.gw.stats.spool.pending).toBe(0);
    expect(await sumHash('btc:s:bob:r1')).toBe(3);
  });
});

function currentSegment(dir: string): string | undefined {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .at(-1);
}
