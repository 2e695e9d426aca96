// The agent under load, as a farm would load it. The agent runs as its own process (`farmhand agent`),
// its upstream is a small Stratum pool in this process, and N miner connections come from here too.
// Figures: miners held and RSS per connection, job fan-out latency to all miners (pool → agent →
// last miner, p50/p99), and shares/s through the agent with the submit → response latency (p99).
//   node bench/agent-capacity.mjs [miners=10000] [shareSeconds=5]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@farmhand/core/bitcoin';
import {
  LineDecoder,
  encodeAuthorize,
  encodeNotify,
  encodeResult,
  encodeSetDifficulty,
  encodeSubmit,
  encodeSubscribe,
  encodeSubscribeResult,
  hex32,
  parseMessage,
} from '@farmhand/core/stratum';
import { report } from './report.mjs';

const BENCH = 'agent-capacity';
const MINERS = Number(process.argv[2] ?? 10_000);
const SHARE_SECONDS = Number(process.argv[3] ?? 5);
const SHARE_CLIENTS = Math.min(200, MINERS);
const D = 1e-12; // nearly every nonce meets it: the agent's validation, not our hashing, is measured
const NTIME = Math.floor(Date.now() / 1000);

// --- the upstream: hands out jobs, accepts every submit, counts them ---------------------------
let jobSeq = 0;
const job = (clean) => ({
  jobId: (++jobSeq).toString(16),
  prevhash: bytesToHex(randomBytes(32)),
  coinb1: `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20${bytesToHex(randomBytes(4))}`,
  coinb2:
    '0c2f6661726d68616e642f00ffffffff0100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000',
  merkleBranch: Array.from({ length: 12 }, () => bytesToHex(randomBytes(32))),
  version: '20000000',
  nbits: '1d00ffff',
  ntime: hex32(NTIME),
  cleanJobs: clean,
});
let upstreamSocket = null;
let upstreamShares = 0;
const pool = createServer((s) => {
  upstreamSocket = s;
  const dec = new LineDecoder();
  s.on('data', (chunk) => {
    for (const r of dec.push(chunk)) {
      if (!r.ok) continue;
      const m = parseMessage(r.value);
      if (!m.ok || m.value.kind !== 'request') continue;
      const { id, method } = m.value;
      if (method === 'mining.subscribe')
        s.write(encodeSubscribeResult(id, { extranonce1: 'f0f0f0f0', extranonce2Size: 8 }));
      else if (method === 'mining.authorize') {
        // The agent authorizes each worker under its account; work goes out on the first only.
        s.write(
          encodeResult(id, true) + (s.authorized ? '' : encodeSetDifficulty(D) + encodeNotify(job(true))),
        );
        s.authorized = true;
      } else if (method === 'mining.submit') {
        upstreamShares++;
        s.write(encodeResult(id, true));
      } else s.write(encodeResult(id, true));
    }
  });
  s.on('error', () => {});
});
await new Promise((r) => pool.listen(0, '127.0.0.1', r));
const poolPort = pool.address().port;

// --- the agent, its own process ------------------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'farmhand-bench-'));
const freePort = () =>
  new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });
const stratumPort = await freePort();
const controlPort = await freePort();
const agent = spawn(
  process.execPath,
  [
    'agent/bin/farmhand.js',
    'agent',
    '--data-dir',
    dataDir,
    '--stratum-port',
    String(stratumPort),
    '--control-port',
    String(controlPort),
    '--upstream',
    `stratum+tcp://bench:x@127.0.0.1:${poolPort}`,
    '--min-difficulty',
    String(D),
    '--start-difficulty',
    String(D),
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const rssKb = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))?.[1] ?? 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 100 && !upstreamSocket; i++) await sleep(100);
if (!upstreamSocket) throw new Error('the agent never connected upstream');
// A stratum config entry keeps miners per IP bounded; spread the miners over 127.x addresses.
await sleep(300);
const rssBefore = rssKb();

// --- the miners ----------------------------------------------------------------------------------
const clients = [];
let rejected = 0;
let notifyWaiters = [];
function minerClient(i) {
  return new Promise((resolve, reject) => {
    const c = { i, job: null, en1: '', en2Size: 0, pending: new Map(), lat: [], done: 0 };
    const s = connect({
      port: stratumPort,
      host: '127.0.0.1',
      localAddress: `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
    });
    c.s = s;
    const dec = new LineDecoder();
    s.setNoDelay(true);
    s.on('error', reject);
    s.on('connect', () => s.write(encodeSubscribe(1, 'bench/1.0') + encodeAuthorize(2, `bench.m${i}`)));
    s.on('data', (chunk) => {
      // Arrival is stamped before this process parses anything: 10,000 clients share one thread
      // here, and the agent's fan-out should not be charged for our own JSON parsing.
      const arrived = performance.now();
      for (const r of dec.push(chunk)) {
        if (!r.ok) continue;
        const m = parseMessage(r.value);
        if (!m.ok) continue;
        const msg = m.value;
        if (msg.kind === 'response') {
          if (msg.id === 1) {
            c.en1 = msg.result[1];
            c.en2Size = msg.result[2];
          } else if (typeof msg.id === 'number' && c.pending.has(msg.id)) {
            if (msg.error) rejected++;
            c.lat.push(performance.now() - c.pending.get(msg.id));
            c.pending.delete(msg.id);
            c.done++;
          }
        } else if (msg.method === 'mining.notify') {
          c.job = msg.params[0];
          const first = !c.notified;
          c.notified = arrived;
          if (first) resolve(c);
          for (const w of notifyWaiters) w(c);
        }
      }
    });
  });
}
const t0 = performance.now();
for (let i = 0; i < MINERS; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(MINERS, i + 500); j++) batch.push(minerClient(j));
  clients.push(...(await Promise.all(batch)));
}
const connectSeconds = (performance.now() - t0) / 1000;
await sleep(1000);
const rssAfter = rssKb();
report(BENCH, 'miners_held', clients.length, 'miners', {
  connect_seconds: Number(connectSeconds.toFixed(2)),
});
report(BENCH, 'agent_rss', rssAfter / 1024, 'MiB', { goal: '< 256 MiB at 10,000 miners' });
report(BENCH, 'rss_per_miner', ((rssAfter - rssBefore) * 1024) / clients.length, 'bytes');

// --- fan-out: a new job at the pool until the last miner has it ---------------------------------
const fanout = [];
for (let round = 0; round < 5; round++) {
  const got = [];
  const sent = performance.now();
  const all = new Promise((resolve) => {
    notifyWaiters = [
      (c) => {
        got.push(c.notified - sent);
        if (got.length === clients.length) resolve();
      },
    ];
  });
  upstreamSocket.write(encodeNotify(job(true)));
  await all;
  got.sort((a, b) => a - b);
  fanout.push({
    p50: got[Math.floor(got.length * 0.5)],
    p99: got[Math.floor(got.length * 0.99)],
    last: got.at(-1),
  });
  await sleep(300);
}
notifyWaiters = [];
fanout.sort((a, b) => a.p99 - b.p99);
const mid = fanout[Math.floor(fanout.length / 2)];
report(BENCH, 'fanout_p50', mid.p50, 'ms', { miners: clients.length });
report(BENCH, 'fanout_p99', mid.p99, 'ms', { miners: clients.length, goal: '< 100 ms at 10,000' });

// --- shares: SHARE_CLIENTS miners keep 4 submits in flight each ---------------------------------
const before = upstreamShares;
let id = 10;
let en2 = 0;
const submitters = clients.slice(0, SHARE_CLIENTS);
const submit = (c) => {
  const n = id++;
  c.pending.set(n, performance.now());
  c.s.write(
    encodeSubmit(n, {
      worker: `bench.m${c.i}`,
      jobId: c.job,
      extranonce2: (en2++).toString(16).padStart(c.en2Size * 2, '0'),
      ntime: hex32(NTIME),
      nonce: hex32(n),
    }),
  );
};
const end = performance.now() + SHARE_SECONDS * 1000;
const pump = setInterval(() => {
  if (performance.now() > end) return;
  for (const c of submitters) while (c.pending.size < 4) submit(c);
}, 1);
await sleep(SHARE_SECONDS * 1000);
clearInterval(pump);
await sleep(1000);
const answered = submitters.reduce((a, c) => a + c.done, 0);
const lat = submitters.flatMap((c) => c.lat).sort((a, b) => a - b);
report(BENCH, 'shares_per_s', answered / SHARE_SECONDS, 'shares/s', {
  clients: SHARE_CLIENTS,
  durable: 'SQLite synchronous=FULL',
});
report(BENCH, 'submit_p50', lat[Math.floor(lat.length * 0.5)] ?? 0, 'ms');
report(BENCH, 'submit_p99', lat[Math.floor(lat.length * 0.99)] ?? 0, 'ms');
report(BENCH, 'forwarded_upstream', upstreamShares - before, 'shares');
report(BENCH, 'rejected', rejected, 'shares');

for (const c of clients) c.s.destroy();
agent.kill('SIGTERM');
await new Promise((r) => agent.once('exit', r));
pool.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  `${clients.length} miners; RSS ${(rssAfter / 1024).toFixed(0)} MiB; fan-out p99 ${mid.p99.toFixed(1)} ms; ${Math.round(answered / SHARE_SECONDS)} shares/s, submit p99 ${(lat[Math.floor(lat.length * 0.99)] ?? 0).toFixed(1)} ms`,
);
process.exit(0);
