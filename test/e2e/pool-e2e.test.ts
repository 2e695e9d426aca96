// The pool companion end to end, the proof: fake bitcoind ← jobmaster ← gateway ← agent ←
// simulated miners, plus a direct miner on the gateway, with stats through a real metawriter into a
// real redis-server. Regtest bits (207fffff) make every 1e-6 share a block, so blocks are frequent and
// the chain moves under the miners the whole time (stale shares included).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressToScript, blockMerkleRoot, bytesToHex } from '@farmhand/core/bitcoin';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent, type RunningAgent } from '../../agent/src/commands/agent-command.js';
import { startFarm, type Farm } from '../../agent/src/sim/index.js';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { parseGatewayConfig } from '../../pool/src/gateway/config.js';
import { startGateway, type RunningGateway } from '../../pool/src/gateway/gateway.js';
import { parseJobmasterConfig } from '../../pool/src/jobmaster/config.js';
import { Jobmaster } from '../../pool/src/jobmaster/jobmaster.js';
import { freePort, startRedis, type RedisServer } from '../support/redis.js';
import { TestMiner, until } from '../pool/gateway-peers.js';

const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';
const TOKEN = 'farm-1-secret-token';
const D = 1e-6;
const POOL_BIN = fileURLToPath(new URL('../../pool/bin/farmhand-pool.js', import.meta.url));
const silent = pino({ level: 'silent' });

let server: RedisServer;
let redis: Redis;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-e2e-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A logger whose lines the test can read. */
function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** The metawriter as its own process (`farmhand-pool metawriter`), so it can really be killed. */
class MetawriterProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly configFile: string,
  ) {
    writeFileSync(
      configFile,
      JSON.stringify({ listen: { host: '127.0.0.1', port }, redis: { url: server.url }, logLevel: 'error' }),
    );
  }
  async start(): Promise<void> {
    const c = spawn(process.execPath, [POOL_BIN, 'metawriter', '--config', this.configFile], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = c;
    await waitListening(this.port);
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
}

async function waitListening(port: number): Promise<void> {
  const { connect } = await import('node:net');
  const end = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (up) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Pool {
  fake: FakeBitcoind;
  jobmaster: Jobmaster;
  jmPort: number;
  jmLog: string[];
  gw: RunningGateway;
  gwLog: string[];
  mw: MetawriterProcess;
  agent: RunningAgent;
}

async function startJobmaster(url: string, port: number, log: Logger): Promise<Jobmaster> {
  const c = parseJobmasterConfig({
    bitcoind: [{ url }],
    payoutAddress: PAYOUT,
    listen: { host: '127.0.0.1', port },
    pollIntervalMs: 200,
    rpcTimeoutMs: 1000,
    longPollTimeoutMs: 2000,
  });
  if (!c.ok) throw new Error(c.error.message);
  const jm = new Jobmaster(c.value, log);
  await jm.start();
  return jm;
}

async function startPool(): Promise<Pool> {
  const fake = new FakeBitcoind({ user: 'u', password: 'p' });
  const { url } = await fake.listen();
  cleanup.push(() => fake.close());
  const jmPort = await freePort();
  const jm = capture();
  const pool = {} as Pool;
  pool.fake = fake;
  pool.jmPort = jmPort;
  pool.jmLog = jm.lines;
  pool.jobmaster = await startJobmaster(url, jmPort, jm.log);
  cleanup.push(() => pool.jobmaster.stop());

  pool.mw = new MetawriterProcess(await freePort(), join(tempDir(), 'metawriter.json'));
  await pool.mw.start();
  cleanup.push(() => pool.mw.kill());

  const gwc = parseGatewayConfig({
    name: 'gw-e2e',
    host: 'gw-e2e.local',
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    agents: [{ id: 'farm-1', token: TOKEN }],
    agentDifficulty: D,
    jobmaster: [`127.0.0.1:${jmPort}`],
    metawriter: `127.0.0.1:${pool.mw.port}`,
    startDifficulty: D,
    minDifficulty: D,
    // Vardiff stays at 1e-6 for the few shares of a test, so goal sums are exact.
    vardiff: { retargetSeconds: 600, retargetShares: 100_000 },
    spool: { dir: tempDir() },
  });
  if (!gwc.ok) throw new Error(gwc.error.message);
  const gw = capture();
  pool.gwLog = gw.lines;
  pool.gw = await startGateway(gwc.value, gw.log);
  cleanup.push(() => pool.gw.stop());
  await until(() => pool.gw.work.current, 10_000, 'the first job at the gateway');

  const ac = parseAgentConfig({
    dataDir: tempDir(),
    stratum: { host: '127.0.0.1', port: 0, minDifficulty: D, startDifficulty: D, targetShareSeconds: 600 },
    control: { port: 0 },
    upstreams: [`farmhand+tcp://farm-1:${TOKEN}@127.0.0.1:${pool.gw.uplinkPort}`],
    upstreamGraceSeconds: 60,
  });
  if (!ac.ok) throw new Error(ac.error.message);
  pool.agent = await runAgent(ac.value, silent);
  cleanup.push(() => pool.agent.stop());
  return pool;
}

async function farm(agentPort: number, miners: number): Promise<Farm> {
  const f = await startFarm({
    miners,
    pools: [`stratum+tcp://alice:x@127.0.0.1:${agentPort}`],
    hashrate: 3000,
    apis: false,
    suggestDifficulty: D,
    rampMs: 200,
  });
  cleanup.push(() => f.stop());
  return f;
}

async function direct(gw: RunningGateway, user: string): Promise<TestMiner> {
  const m = new TestMiner(gw.stratumPort, user);
  cleanup.push(() => m.close());
  await m.start();
  return m;
}

/** Submits `n` shares one after the other; counts the gateway's answers. */
async function mine(m: TestMiner, n: number): Promise<{ accepted: number; rejected: number }> {
  const r = { accepted: 0, rejected: 0 };
  for (let i = 0; i < n; i++) {
    if ((await m.submit()).ok) r.accepted += 1;
    else r.rejected += 1;
  }
  return r;
}

async function sumHash(key: string): Promise<number> {
  const v = await redis.hvals(key);
  return v.reduce((a, b) => a + Number(b), 0);
}

/** Sim miners' accepted shares by redis user:worker (worker names are <account>.<make>-<n>). */
function agentShares(f: Farm): Map<string, number> {
  const m = new Map<string, number>();
  for (const miner of f.miners) m.set(miner.worker.replace('.', ':'), miner.stats.accepted);
  return m;
}

/** Everything the agent took is at the gateway, and everything the gateway judged is in Redis. */
async function drain(p: Pool): Promise<void> {
  await until(() => p.agent.agent.store.depth === 0, 15_000, "the agent's buffer drained");
  // A record still on the wire when the buffer looks empty: wait until the gateway has judged it.
  await new Promise((r) => setTimeout(r, 300));
  p.gw.stats.flush(Infinity);
  await until(() => p.gw.stats.spool.pending === 0, 15_000, 'the stats spool acked by the metawriter');
}

describe('pool end to end', () => {
  it('miners → agent → gateway → jobmaster → node: blocks accepted, stats in Redis equal what was mined', async () => {
    await redis.flushall();
    const p = await startPool();
    const f = await farm(p.agent.agent.port, 6);
    const bob = await direct(p.gw, 'bob.rig1');
    const bobShares = await mine(bob, 8);
    await until(() => f.totals().accepted >= 24, 20_000, '24 shares accepted from the farm');
    await until(() => p.fake.acceptedBlocks().length >= 2, 10_000, 'two blocks at the node');
    await f.stop();
    await drain(p);

    // Blocks: right merkle root, coinbase paying the configured address, announced in Redis.
    const payout = addressToScript(PAYOUT, 'regtest');
    if (!payout.ok) throw new Error(payout.error.message);
    const blocks = p.fake.acceptedBlocks();
    for (const b of blocks) {
      expect(bytesToHex(blockMerkleRoot(b.block))).toBe(bytesToHex(b.block.header.merkleRoot));
      const coinbase = b.block.transactions[0]!;
      const pays = coinbase.outputs.filter(
        (o) => bytesToHex(o.script) === bytesToHex(payout.value.scriptPubKey),
      );
      expect(pays).toHaveLength(1);
      expect(pays[0]!.value).toBeGreaterThan(0n);
    }
    const newblocks = (await redis.lrange('newblock', 0, -1)).map(
      (s) => JSON.parse(s) as { hash: string; user: string },
    );
    for (const b of blocks) expect(newblocks.map((n) => n.hash)).toContain(b.hash);

    // Per worker: every share the agent accepted reached the gateway once and got one verdict there
    // (accepted, or stale when the chain moved while it was on its way).
    const expected = agentShares(f);
    expect(expected.size).toBe(6);
    let aliceAccepted = 0;
    for (const [key, n] of expected) {
      const ok = await sumHash(`btc:s:${key}`);
      const rej = await sumHash(`btc:s:${key}:reject`);
      expect({ key, total: ok + rej }).toEqual({ key, total: n });
      aliceAccepted += ok;
    }
    expect(aliceAccepted).toBeGreaterThan(0);
    expect(await sumHash('btc:s:alice')).toBe(aliceAccepted);
    expect(await sumHash('btc:s:bob:rig1')).toBe(bobShares.accepted);
    expect(await sumHash('btc:s:bob:rig1:reject')).toBe(bobShares.rejected);
    expect(await sumHash('btc:s:bob')).toBe(bobShares.accepted);
    // The gateway's own count of verdicts equals Redis's.
    const redisAccepted = aliceAccepted + bobShares.accepted;
    expect(p.gw.counters.sharesAccepted).toBe(redisAccepted);
    // Work and goal: Σ difficulty (whole units, fractions carried) and Σ difficulty / network difficulty.
    const netDiff = p.gw.work.current!.networkDifficulty;
    expect(await sumHash('btc:p:alice')).toBe(Math.floor(aliceAccepted * D));
    expect(await sumHash('btc:g:alice')).toBeCloseTo((aliceAccepted * D) / netDiff, 6);
    expect(await sumHash('btc:g:bob')).toBeCloseTo((bobShares.accepted * D) / netDiff, 6);
  });

  it('faults: metawriter killed and restarted, jobmaster restarted: nothing lost or doubled, fresh jobs', async () => {
    await redis.flushall();
    const p = await startPool();
    const f = await farm(p.agent.agent.port, 4);
    const bob = await direct(p.gw, 'bob.rig1');
    const before = await mine(bob, 3);
    await until(() => f.totals().accepted >= 8, 20_000, 'farm shares before the faults');

    // kill -9 the metawriter with batches on their way; they wait in the gateway's spool.
    p.gw.stats.flush(Infinity);
    await p.mw.kill();
    const during = await mine(bob, 3);
    p.gw.stats.flush(Infinity);
    await until(() => p.gw.stats.spool.pending > 0, 5000, 'batches spooled while the metawriter is away');
    await p.mw.start();

    // Restart the jobmaster on its port: the gateway reconnects and every miner gets a clean job.
    const notifies = bob.notifies;
    await p.jobmaster.stop();
    p.jobmaster = await startJobmaster(p.fake.url(), p.jmPort, silent);
    await until(() => bob.notifies > notifies && bob.job!.cleanJobs, 10_000, 'a clean job after the restart');
    const farmBefore = f.totals().accepted;
    const after = await mine(bob, 3);
    expect(after.accepted).toBeGreaterThan(0);
    await until(() => f.totals().accepted >= farmBefore + 6, 20_000, 'farm shares on the new jobmaster');
    await f.stop();
    await drain(p);

    const bobAccepted = before.accepted + during.accepted + after.accepted;
    const bobRejected = before.rejected + during.rejected + after.rejected;
    expect(await sumHash('btc:s:bob:rig1')).toBe(bobAccepted);
    expect(await sumHash('btc:s:bob:rig1:reject')).toBe(bobRejected);
    let aliceAccepted = 0;
    for (const [key, n] of agentShares(f)) {
      const ok = await sumHash(`btc:s:${key}`);
      const rej = await sumHash(`btc:s:${key}:reject`);
      expect({ key, total: ok + rej }).toEqual({ key, total: n });
      aliceAccepted += ok;
    }
    expect(p.gw.counters.sharesAccepted).toBe(aliceAccepted + bobAccepted);
  });

  it('faults: a node answering HTTP 500, then hanging: clear log lines, no crash, mining resumes', async () => {
    await redis.flushall();
    const p = await startPool();
    const bob = await direct(p.gw, 'bob.rig1');
    expect((await mine(bob, 1)).accepted).toBe(1);
    await until(() => p.fake.acceptedBlocks().length === 1, 10_000, 'the first block');
    // Mine on the new tip's job, or the next share could be stale rather than a block.
    await until(
      () => p.gw.work.current!.source.height === 109 && bob.job!.jobId === p.gw.work.current!.id,
      10_000,
      'the job on the new tip at the miner',
    );

    p.fake.setFault('http-500');
    const refused = await mine(bob, 1); // a block the node cannot take now
    expect(refused.accepted).toBe(1); // the share itself is good
    await until(
      () => p.jmLog.some((l) => /submitblock failed: .*HTTP 500/.test(l)),
      10_000,
      'the failed submitblock logged',
    );
    p.fake.setFault('hang');
    await until(
      () =>
        p.jmLog.some((l) => /"level":50/.test(l) && /no answer within \d+ ms \(node busy or hung\)/.test(l)),
      10_000,
      'a timeout logged',
    );
    // Still alive: the gateway serves and judges shares on the job it has.
    await until(() => bob.job!.jobId === p.gw.work.current!.id, 10_000, 'the current job at the miner');
    expect((await mine(bob, 1)).accepted).toBe(1);

    p.fake.setFault(null);
    const height = p.fake.chain.tip.height;
    await until(() => bob.job && p.gw.work.current, 10_000, 'jobs again');
    for (let i = 0; i < 20 && p.fake.chain.tip.height === height; i++) await mine(bob, 1);
    expect(p.fake.chain.tip.height).toBeGreaterThan(height);
    const errors = p.jmLog.filter((l) => /"level":(50|60)/.test(l));
    expect(errors.length).toBeGreaterThan(0);
    for (const l of errors) expect(JSON.parse(l)).toHaveProperty('msg');
  });
});
