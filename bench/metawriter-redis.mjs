// metawriter → Redis throughput: stats records and Redis commands per second through the writer core
// (Lua write with batch markers), through the TCP stats link end to end, on a one-node Redis Cluster
// (no script: one command per key), and a plain ioredis pipeline of as many HINCRBYs as a baseline.
// Starts its own redis-server on a free loopback port. Run after `npx tsc -b`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import { report } from './report.mjs';
import { StandaloneSink, ClusterSink } from '../pool/dist/metawriter/redis-sink.js';
import { StatsWriter } from '../pool/dist/metawriter/stats-writer.js';
import { startMetawriter } from '../pool/dist/metawriter/metawriter.js';
import { parseMetawriterConfig } from '../pool/dist/metawriter/config.js';
import { StatsLinkClient } from '../pool/dist/metawriter/stats-link-client.js';
import { planWrites, PlanState } from '../pool/dist/metawriter/write-plan.js';

const BENCH = 'metawriter-redis';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RECORDS_PER_BATCH = 500;
const IN_FLIGHT = 8;
const M = 1_700_000_040;

if (spawnSync('redis-server', ['--version']).error) {
  console.error('metawriter-redis: redis-server not found (Debian: apt-get install -y redis-server)');
  process.exit(2);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function redisServer(cluster) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-bench-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  if (cluster)
    args.push(
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-announce-ip',
      '127.0.0.1',
    );
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout.resume();
  if (cluster) {
    spawnSync('redis-cli', ['-p', String(port), 'CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    while (
      !spawnSync('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO'], { encoding: 'utf8' }).stdout.includes(
        'cluster_state:ok',
      )
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

// 100 users × 10 workers; each batch is one gateway's minute for 500 of those workers.
function makeBatch(source, seq) {
  const records = [];
  for (let i = 0; i < RECORDS_PER_BATCH; i++) {
    const n = (seq * RECORDS_PER_BATCH + i) % 1000;
    records.push({
      kind: 'share',
      minute: M + 60 * (seq % 5),
      user: `user${n % 100}`,
      worker: `w${n}`,
      accepted: 15,
      rejected: n % 3,
      pow: 15 * 8192,
      goal: 1.7e-9,
    });
  }
  records.push(
    { kind: 'monitor_int', minute: M, key: 'share', value: 7500 },
    { kind: 'monitor_float', minute: M, key: 'goal', value: 8.5e-7 },
  );
  return { source, seq, host: `gw-${source}`, coin: 'btc', records };
}

/** Keep IN_FLIGHT batches outstanding for SECONDS; returns [batches, records, seconds]. */
async function drive(send) {
  let seq = 0;
  let done = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, lane) => {
      while (performance.now() < end) {
        const r = await send(makeBatch(`src${lane}`, seq++));
        if (!r.ok) throw new Error(r.error.message);
        done++;
      }
    }),
  );
  const secs = (performance.now() - start) / 1000;
  return [done, done * (RECORDS_PER_BATCH + 2), secs];
}

const commandsPerBatch = planWrites(
  [makeBatch('x', 1)],
  new PlanState({ keySetRefreshSeconds: 1e9, newWorkerPeriodSeconds: 1e9 }),
  M,
).ops.length;

const standalone = await redisServer(false);
{
  const client = new Redis(standalone.port, '127.0.0.1', { enableOfflineQueue: true });
  const writer = new StatsWriter(new StandaloneSink(client), { lingerMs: 1 });
  const [batches, records, secs] = await drive((b) => writer.submit(b));
  const c = writer.counts;
  report(BENCH, 'writer_records_per_s', records / secs, 'records/s', {
    records_per_batch: RECORDS_PER_BATCH,
  });
  report(BENCH, 'writer_redis_commands_per_s', c.commands / secs, 'commands/s', {
    writes: c.writes,
    batches,
  });
  await writer.close();

  // Baseline: as many plain HINCRBYs as one batch yields, one ioredis pipeline at a time, no markers.
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const p = client.pipeline();
    for (let i = 0; i < commandsPerBatch; i++) p.hincrby(`bench:raw:${i % 1500}`, String(M), 1);
    await p.exec();
    sent += commandsPerBatch;
  }
  report(BENCH, 'baseline_pipeline_hincrby_per_s', sent / ((performance.now() - start) / 1000), 'commands/s');
  client.disconnect();

  // End to end: stats link over loopback TCP (uplink frames, JSON bodies) → writer → Redis.
  const admin = new Redis(standalone.port, '127.0.0.1');
  await admin.flushall();
  admin.disconnect();
  const cfg = parseMetawriterConfig({
    listen: { host: '127.0.0.1', port: 0 },
    redis: { url: `redis://127.0.0.1:${standalone.port}` },
  });
  const mw = await startMetawriter(cfg.value, pino({ level: 'silent' }));
  const link = await StatsLinkClient.connect('127.0.0.1', mw.address.port);
  const [lb, lr, ls] = await drive((b) => link.send(b));
  report(BENCH, 'link_records_per_s', lr / ls, 'records/s', { batches: lb });
  link.close();
  await mw.stop();
}
await standalone.stop();

const clusterServer = await redisServer(true);
{
  const cluster = new Cluster([{ host: '127.0.0.1', port: clusterServer.port }], {
    enableOfflineQueue: true,
  });
  await new Promise((r) => cluster.once('ready', r));
  const writer = new StatsWriter(new ClusterSink(cluster), { lingerMs: 1 });
  const [, records, secs] = await drive((b) => writer.submit(b));
  report(BENCH, 'cluster_writer_records_per_s', records / secs, 'records/s');
  report(BENCH, 'cluster_writer_redis_commands_per_s', writer.counts.commands / secs, 'commands/s');
  await writer.close();
  cluster.disconnect();
}
await clusterServer.stop();
console.log(
  `\n(${RECORDS_PER_BATCH} share records per batch ≈ ${commandsPerBatch} Redis commands; ${IN_FLIGHT} batches in flight; ${SECONDS} s per figure)`,
);
