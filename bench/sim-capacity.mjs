// How many simulated miners one process holds, and at what share rate: the farm simulator (this
// process) against a minimal Stratum pool in a child process that validates every share with core's
// ShareValidator. Run `npx tsc -b` first. Options: --miners N (5000), --hashrate H (20 H/s per miner),
// --seconds S (30), --apis (serve device APIs too).
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { report } from './report.mjs';

const BENCH = 'sim-capacity';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const DIFFICULTY = 2 ** -20; // 4,096 sha256d per share on average

if (process.argv.includes('--pool-child')) {
  await runPool();
} else {
  await runFarm();
}

async function runPool() {
  const { hexToBytes, bytesToHex } = await import('@farmhand/core/bitcoin');
  const { ShareValidator, prepareJob } = await import('@farmhand/core/share');
  const s = await import('@farmhand/core/stratum');
  const { randomBytes } = await import('node:crypto');
  const validator = new ShareValidator();
  const job = {
    jobId: '1',
    prevhash: bytesToHex(randomBytes(32)),
    coinb1: `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20${bytesToHex(randomBytes(4))}`,
    coinb2: 'ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000',
    merkleBranch: [bytesToHex(randomBytes(32))],
    version: '20000000',
    nbits: '1d00ffff',
    ntime: s.hex32(Math.floor(Date.now() / 1000)),
    cleanJobs: true,
  };
  validator.addJob(prepareJob(job).value);
  let accepted = 0;
  let rejected = 0;
  let sessions = 0;
  let n = 0;
  const server = createServer((sock) => {
    const en1 = (++n).toString(16).padStart(8, '0');
    const session = {
      extranonce1: hexToBytes(en1),
      extranonce1Hex: en1,
      extranonce2Size: 4,
      versionMask: 0,
      difficulty: DIFFICULTY,
    };
    const dec = new s.LineDecoder();
    sessions++;
    sock.on('close', () => sessions--);
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      for (const line of dec.push(chunk)) {
        if (!line.ok) continue;
        const m = s.parseMessage(line.value);
        if (!m.ok || m.value.kind === 'response') continue;
        const r = s.toClientRequest(m.value);
        if (!r.ok) continue;
        const q = r.value;
        if (q.kind === 'mining.configure') {
          session.versionMask = q.versionRolling ? (q.versionRolling.mask & s.BIP320_VERSION_MASK) >>> 0 : 0;
          sock.write(
            s.encodeConfigureResult(
              q.id,
              q.versionRolling ? { versionRollingMask: session.versionMask } : {},
            ),
          );
        } else if (q.kind === 'mining.subscribe') {
          sock.write(s.encodeSubscribeResult(q.id, { extranonce1: en1, extranonce2Size: 4 }));
        } else if (q.kind === 'mining.authorize') {
          sock.write(s.encodeResult(q.id, true) + s.encodeSetDifficulty(DIFFICULTY) + s.encodeNotify(job));
        } else if (q.kind === 'mining.submit') {
          const v = validator.check(session, q, Math.floor(Date.now() / 1000));
          if (v.kind === 'accepted') accepted++;
          else rejected++;
          sock.write(
            v.kind === 'accepted' ? s.encodeResult(q.id, true) : s.encodeError(q.id, v.code, v.message),
          );
        } else if (q.id !== null) {
          sock.write(s.encodeResult(q.id, true));
        }
      }
    });
  });
  server.listen(0, '127.0.0.1', 4096, () => process.send({ port: server.address().port }));
  process.on('message', (msg) => {
    if (msg === 'stats') process.send({ accepted, rejected, sessions, rss: process.memoryUsage().rss });
    if (msg === 'exit') process.exit(0);
  });
}

async function runFarm() {
  const miners = Number(arg('miners', '5000'));
  const hashrate = Number(arg('hashrate', '20'));
  const seconds = Number(arg('seconds', '30'));
  const apis = process.argv.includes('--apis');
  const { startFarm } = await import('../agent/dist/sim/index.js');
  const child = fork(fileURLToPath(import.meta.url), ['--pool-child'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('stats');
    });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const farm = await startFarm({
    miners,
    pools: [`stratum+tcp://127.0.0.1:${port}`],
    account: 'bench',
    hashrate,
    apis,
    rampMs: 2000,
    backoffMinMs: 500,
  });
  const started = performance.now() - t0;
  let connected = 0;
  while (performance.now() - t0 < 60_000) {
    connected = farm.totals().connected;
    if (connected >= miners) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const connectMs = performance.now() - t0;
  // Event-loop lag while the farm runs: how late a 100 ms timer fires.
  let lagMax = 0;
  let last = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - last - 100);
    last = now;
  }, 100);
  const s0 = await ask();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const s1 = await ask();
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - w0) / 1000;
  clearInterval(lagTimer);
  const extra = { miners, hashratePerMiner: hashrate, difficulty: DIFFICULTY, apis };
  report(BENCH, 'miners_connected', connected, 'miners', extra);
  report(BENCH, 'farm_start_ms', started, 'ms', extra);
  report(BENCH, 'all_connected_ms', connectMs, 'ms', extra);
  report(BENCH, 'farm_rss', process.memoryUsage().rss / 2 ** 20, 'MiB', extra);
  report(BENCH, 'farm_rss_per_miner', (process.memoryUsage().rss - rssBefore) / miners / 1024, 'KiB', extra);
  report(BENCH, 'pool_sessions', s1.sessions, 'sessions', extra);
  report(BENCH, 'share_rate', (s1.accepted - s0.accepted) / wall, 'shares/s', {
    ...extra,
    expected: (miners * hashrate) / (DIFFICULTY * 2 ** 32),
  });
  report(BENCH, 'shares_rejected', s1.rejected - s0.rejected, 'shares', extra);
  report(BENCH, 'farm_cpu', ((cpu.user + cpu.system) / 1e6 / wall) * 100, '% of one core', extra);
  report(BENCH, 'event_loop_lag_max', lagMax, 'ms', extra);
  report(
    BENCH,
    'real_hashes_per_second',
    farm.hasher.totalHashes / ((performance.now() - t0) / 1000),
    'H/s',
    extra,
  );
  await farm.stop();
  child.send('exit');
}
