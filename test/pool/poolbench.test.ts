import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bip34HeightPush, bytesToHex, hexToBytes, reversed } from '@farmhand/core/bitcoin';
import {
  LineDecoder,
  encodeNotify,
  parseMessage,
  prevhashToStratum,
  type StratumJob,
} from '@farmhand/core/stratum';
import { Poolbench, claimOf, parsePoolbenchConfig, type Verdict } from '../../pool/src/poolbench/index.js';
import { HASH107, HASH108, until } from './bitpeer-node.js';
import { JobWatcher, log, startJobmaster, useCleanups } from './pool-harness.js';

const cleanups = useCleanups();

const FAKE108 = 'ee'.repeat(32);

/** A job as another pool would send it: a coinbase whose scriptSig starts with the BIP34 height. */
function poolJob(jobId: string, prevDisplay: string, height: number): StratumJob {
  const push = bytesToHex(bip34HeightPush(height));
  const scriptLen = (push.length / 2 + 8 + 10).toString(16).padStart(2, '0');
  return {
    jobId,
    prevhash: prevhashToStratum(reversed(hexToBytes(prevDisplay))),
    coinb1: '01000000' + '01' + '00'.repeat(32) + 'ffffffff' + scriptLen + push,
    coinb2:
      '0a2f6f746865722d706f6f6c2fffffffff0100f2052a010000001600140000000000000000000000000000000000000000' +
      '00000000',
    merkleBranch: [],
    version: '20000000',
    nbits: '207fffff',
    ntime: '6b0631bb',
    cleanJobs: true,
  };
}

/** An in-test Stratum pool: answers subscribe/authorize and sends the notifies the test gives it. */
class TestPool {
  #server: Server;
  #sessions = new Set<Socket>();
  port = 0;
  constructor() {
    this.#server = createServer((s) => {
      const lines = new LineDecoder();
      s.on('data', (chunk: Buffer) => {
        for (const l of lines.push(chunk)) {
          if (!l.ok) continue;
          const m = parseMessage(l.value);
          if (!m.ok || m.value.kind !== 'request') continue;
          if (m.value.method === 'mining.subscribe') {
            s.write(
              JSON.stringify({
                id: m.value.id,
                result: [[['mining.notify', '1']], '00000001', 4],
                error: null,
              }) + '\n',
            );
          } else if (m.value.method === 'mining.authorize') {
            s.write(JSON.stringify({ id: m.value.id, result: true, error: null }) + '\n');
            this.#sessions.add(s);
          }
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => this.#sessions.delete(s));
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    return (this.port = (this.#server.address() as { port: number }).port);
  }
  get subscribers(): number {
    return this.#sessions.size;
  }
  notify(job: StratumJob): void {
    for (const s of this.#sessions) s.write(encodeNotify(job));
  }
  async close(): Promise<void> {
    for (const s of this.#sessions) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

async function setup(pools: { trusted: boolean }[], quorum: number, extra: Record<string, unknown> = {}) {
  const { jm, port } = await startJobmaster(cleanups);
  // Watches the jobmaster's jobs as a gateway would.
  const watcher = new JobWatcher(port);
  cleanups.push(() => watcher.close());
  await until(() => watcher.jobs.length > 0);
  const testPools: TestPool[] = [];
  for (const _ of pools) {
    const p = new TestPool();
    await p.listen();
    cleanups.push(() => p.close());
    testPools.push(p);
  }
  const cfg = parsePoolbenchConfig({
    pools: testPools.map((p, i) => ({
      name: `pool${i}`,
      host: '127.0.0.1',
      port: p.port,
      user: 'watch',
      trusted: pools[i]!.trusted,
    })),
    jobmasters: [`127.0.0.1:${port}`],
    quorum,
    logLevel: 'silent',
    ...extra,
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const bench = new Poolbench(cfg.value, log);
  const verdicts: { pool: string; verdict: Verdict }[] = [];
  bench.on('verdict', (v: { pool: string; verdict: Verdict }) => verdicts.push(v));
  bench.start();
  cleanups.push(() => bench.stop());
  await until(() => testPools.every((p) => p.subscribers === 1) && bench.ours !== null);
  return { pools: testPools, bench, watcher, verdicts, jm };
}

describe('poolbench config', () => {
  it('names the wrong key', () => {
    const base = { jobmasters: ['127.0.0.1:1'] };
    const none = parsePoolbenchConfig({ ...base, pools: [] });
    expect(!none.ok && none.error.message).toMatch(/config\.pools/);
    const twice = parsePoolbenchConfig({
      ...base,
      pools: [
        { name: 'a', host: 'h', port: 1, user: 'u' },
        { name: 'a', host: 'h', port: 2, user: 'u' },
      ],
    });
    expect(!twice.ok && twice.error.message).toMatch(/pools\[1\]\.name: "a" is used twice/);
    const q = parsePoolbenchConfig({
      ...base,
      pools: [{ name: 'a', host: 'h', port: 1, user: 'u' }],
      quorum: 0,
    });
    expect(!q.ok && q.error.message).toMatch(/config\.quorum/);
    const good = parsePoolbenchConfig({ ...base, pools: [{ name: 'a', host: 'h', port: 1, user: 'u' }] });
    expect(good.ok && good.value).toMatchObject({ quorum: 2, pools: [{ pass: 'x', trusted: false }] });
  });
});

describe('poolbench claim', () => {
  it('reads the BIP34 height at byte 42 of coinb1 and the display prevhash', () => {
    expect(claimOf(poolJob('1', HASH108, 109))).toMatchObject({
      height: 108,
      prevhash: HASH108,
      nbits: '207fffff',
    });
    expect(claimOf({ ...poolJob('1', HASH108, 109), coinb1: '0100' })).toBeNull();
  });
});

describe('poolbench against two in-test pools, one of which lies', () => {
  it('quorum 2: a lie alone and a height jump change nothing; two pools agreeing make an empty-block job', async () => {
    const { pools, bench, watcher, verdicts } = await setup([{ trusted: false }, { trusted: false }], 2);
    const [liar, honest] = pools as [TestPool, TestPool];
    expect(bench.ours).toEqual({ height: 108, prevhash: HASH107 });
    const jobsBefore = watcher.jobs.length;

    liar.notify(poolJob('a1', FAKE108, 109));
    liar.notify(poolJob('a2', FAKE108, 115)); // a tip that does not follow ours
    await until(() => verdicts.length === 2);
    honest.notify(poolJob('b1', HASH107, 108)); // still on our tip
    honest.notify(poolJob('b2', HASH108, 109));
    await until(() => verdicts.length === 4);
    expect(verdicts.map((v) => `${v.pool}:${v.verdict.kind}`)).toEqual([
      'pool0:wait',
      'pool0:refused',
      'pool1:same',
      'pool1:wait',
    ]);
    const refused = verdicts[1]!.verdict;
    expect(refused.kind === 'refused' && refused.reason).toMatch(/must follow ours/);
    expect(watcher.jobs.slice(jobsBefore).filter((j) => j.empty)).toEqual([]);

    // The liar's pool moves to the real tip too: two independent pools agree.
    liar.notify(poolJob('a3', HASH108, 109));
    await until(() => watcher.jobs.some((j) => j.empty));
    const empty = watcher.jobs.find((j) => j.empty)!;
    expect(empty).toMatchObject({ height: 109, prevhash: HASH108, empty: true });
    expect(empty.job.merkleBranch).toEqual([]);
    expect(verdicts.at(-1)?.verdict).toMatchObject({ kind: 'act', pools: ['pool1', 'pool0'] });
    expect(watcher.jobs.some((j) => j.prevhash === FAKE108)).toBe(false);
  });

  it('one trusted pool is enough; an untrusted liar is not', async () => {
    const { pools, watcher, verdicts } = await setup([{ trusted: false }, { trusted: true }], 2);
    const [liar, trusted] = pools as [TestPool, TestPool];
    liar.notify(poolJob('x1', FAKE108, 109));
    await until(() => verdicts.length === 1);
    expect(verdicts[0]!.verdict.kind).toBe('wait');
    trusted.notify(poolJob('t1', HASH108, 109));
    await until(() => watcher.jobs.some((j) => j.empty));
    expect(watcher.jobs.filter((j) => j.empty).map((j) => j.prevhash)).toEqual([HASH108]);
  });

  it('raises "behind" when other pools stay on a tip our jobmaster lacks, "caught-up" once it moves', async () => {
    const { pools, bench, watcher } = await setup([{ trusted: false }, { trusted: false }], 2, {
      maxDelayMs: 100,
    });
    const events: { name: string; height: number }[] = [];
    bench.on('behind', (e: { height: number }) => events.push({ name: 'behind', height: e.height }));
    bench.on('caught-up', (e: { height: number }) => events.push({ name: 'caught-up', height: e.height }));
    pools[0]!.notify(poolJob('h1', HASH108, 109)); // one untrusted pool: not enough to act
    await until(() => events.length === 1);
    expect(events).toEqual([{ name: 'behind', height: 108 }]);
    expect(watcher.jobs.some((j) => j.empty)).toBe(false);
    pools[1]!.notify(poolJob('h2', HASH108, 109)); // the second agrees: act
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ name: 'caught-up', height: 108 });
  });

  it('measures how long a pool mines empty blocks after a new tip', async () => {
    const { pools, bench } = await setup([{ trusted: false }], 2);
    const seen: { pool: string; ms: number }[] = [];
    bench.on('empty-mining', (e: { pool: string; ms: number }) => seen.push(e));
    pools[0]!.notify(poolJob('e1', HASH108, 109)); // clean, no branch: empty-block mining
    pools[0]!.notify({ ...poolJob('e2', HASH108, 109), cleanJobs: false, merkleBranch: ['11'.repeat(32)] });
    await until(() => seen.length === 1);
    expect(seen[0]!.pool).toBe('pool0');
    expect(seen[0]!.ms).toBeGreaterThanOrEqual(0);
  });
});
