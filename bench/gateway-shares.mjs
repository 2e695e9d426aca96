// Gateway shares/s per core: the gateway runs in this process (one thread, so its CPU time is one
// core's), the load runs in a child process so it does not share the gateway's thread. Two loads:
// an agent sending SHARES batches over the uplink, and direct Stratum miners pipelining submits.
// Every share is fully validated (coinbase, merkle, header hash, duplicate memory); the share
// difficulty is tiny so each one is accepted and the accepted path (stats included) is measured.
//   node bench/gateway-shares.mjs [seconds] [transactions]   (4000 transactions = a mainnet-size branch)
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { addressToScript } from '@farmhand/core/bitcoin';
import { buildJob } from '@farmhand/core/job';
import { LineDecoder, encodeAuthorize, encodeSubmit, encodeSubscribe, hex32 } from '@farmhand/core/stratum';
import { FrameDecoder, authProof, decodeMessage, encodeMessageFrame } from '@farmhand/core/uplink';
import { report } from './report.mjs';

const BENCH = 'gateway-shares';
const D = 1e-15;
const TOKEN = 'bench-token-123';
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'agent') await agentLoad(Number(rest[0]), Number(rest[1]));
else if (mode === 'miners') await minerLoad(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else await main(Number(mode ?? 5), Number(rest[0] ?? 0));

async function main(seconds, txs) {
  const { REGTEST_TEMPLATE_108 } = await import('../pool/dist/fake-bitcoind/index.js');
  const { encodeJmMessage } = await import('../pool/dist/jobmaster/wire.js');
  const { parseGatewayConfig } = await import('../pool/dist/gateway/config.js');
  const { startGateway } = await import('../pool/dist/gateway/gateway.js');
  const script = addressToScript('bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5', 'regtest');
  // Mainnet-like nBits: no share is a block, so the jobmaster path stays out of the figure.
  // With `txs` synthetic transactions the merkle branch has mainnet's length (4000 → 12 hashes).
  const transactions = txs
    ? Array.from({ length: txs }, (_, i) => ({
        txid: createHash('sha256').update(String(i)).digest('hex'),
        data: '00',
      }))
    : REGTEST_TEMPLATE_108.transactions;
  const template = {
    ...REGTEST_TEMPLATE_108,
    transactions,
    bits: '17034219',
    curtime: Math.floor(Date.now() / 1000),
  };
  const built = buildJob(template, {
    payoutScript: script.value.scriptPubKey,
    extranonceSize: 12,
    jobId: '1',
    cleanJobs: true,
  });
  const jobMsg = {
    type: 'JOB',
    job: built.value.job,
    height: 108,
    prevhash: template.previousblockhash,
    target: '00'.repeat(32),
    extranonceSize: 12,
    coinbasevalue: template.coinbasevalue,
    empty: false,
    createdAt: Date.now(),
  };
  const jm = createServer((s) => {
    s.on('error', () => {});
    s.write(encodeJmMessage(jobMsg, 1));
  });
  await new Promise((r) => jm.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-bench-gw-'));
  const c = parseGatewayConfig({
    name: 'bench',
    host: 'bench',
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    agents: [{ id: 'bench-agent', token: TOKEN }],
    agentDifficulty: D,
    jobmaster: [`127.0.0.1:${jm.address().port}`],
    metawriter: '127.0.0.1:1',
    startDifficulty: D,
    minDifficulty: D,
    floodRatePerSecond: 1e9,
    floodBurst: 1e9,
    spool: { dir },
    logLevel: 'silent',
  });
  if (!c.ok) throw new Error(c.error.message);
  const gw = await startGateway(c.value, pino({ level: 'silent' }));
  while (!gw.work.current) await new Promise((r) => setTimeout(r, 10));

  const measure = async (label, args, extra) => {
    const child = fork(fileURLToPath(import.meta.url), args, { stdio: 'inherit' });
    // Warm-up, then count accepted shares and this process's CPU time over the window.
    await new Promise((r) => setTimeout(r, 1000));
    const s0 = gw.counters.sharesAccepted;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const shares = gw.counters.sharesAccepted - s0;
    const cpu = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    child.kill();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    report(BENCH, `${label}_shares_per_core_second`, shares / cpuSeconds, 'shares/cpu-s', {
      ...extra,
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      wallSeconds: Number(wall.toFixed(2)),
    });
    report(BENCH, `${label}_shares_per_second`, shares / wall, 'shares/s', {
      ...extra,
      gatewayCpuShare: Number((cpuSeconds / wall).toFixed(2)),
    });
    await new Promise((r) => setTimeout(r, 300));
  };
  const branch = gw.work.current.stratum.merkleBranch.length;
  await measure('agent_batched', ['agent', gw.uplinkPort, 1000], { batch: 1000, branch });
  await measure('direct_stratum', ['miners', gw.stratumPort, 50, 20], { miners: 50, pipelined: 20, branch });
  await gw.stop();
  jm.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `gateway: ${gw.counters.sharesAccepted} accepted, ${gw.counters.sharesRejected} rejected over both runs (rejects should be 0)`,
  );
  process.exit(0);
}

/** One agent, batches of `batch` records, 8 batches in flight. */
async function agentLoad(port, batch) {
  const s = connect(port, '127.0.0.1');
  let seq = 0;
  const send = (m) => s.write(encodeMessageFrame(m, ++seq));
  const dec = new FrameDecoder();
  let welcome;
  let job;
  let inFlight = 0;
  let recordSeq = 1;
  const pump = () => {
    while (inFlight < 8) {
      const records = [];
      for (let i = 0; i < batch; i++) {
        const n = recordSeq++;
        const en2 = new Uint8Array(welcome.extranonce2Size);
        new DataView(en2.buffer).setUint32(en2.length - 4, n);
        new DataView(en2.buffer).setUint16(0, Math.floor(n / 2 ** 32));
        records.push({
          seq: n,
          jobId: job.jobId,
          worker: 1,
          extranonce2: en2,
          ntimeDelta: 0,
          nonce: (n * 2654435761) >>> 0,
          versionBits: 0x1000,
        });
      }
      send({ type: 'shares', extranonce2Size: welcome.extranonce2Size, records });
      inFlight += 1;
    }
  };
  s.on('data', (chunk) => {
    for (const f of dec.push(chunk)) {
      const m = decodeMessage(f.value.type, f.value.body).value;
      if (m.type === 'challenge') send({ type: 'auth', proof: authProof(TOKEN, m.nonce, 'bench-agent') });
      else if (m.type === 'welcome') welcome = m;
      else if (m.type === 'job') {
        job = m;
        send({ type: 'event', kind: 'authorize', worker: 1, name: 'bench.rig', peer: '', at: 1 });
        pump();
      } else if (m.type === 'ack') {
        inFlight -= 1;
        pump();
      }
    }
  });
  s.on('connect', () =>
    send({ type: 'hello', protocolVersion: 1, agentId: 'bench-agent', software: 'bench/1' }),
  );
  await new Promise(() => {});
}

/** `miners` Stratum connections, each keeping `window` submits outstanding. */
async function minerLoad(port, miners, window) {
  for (let k = 0; k < miners; k++) {
    const s = connect(port, '127.0.0.1');
    const dec = new LineDecoder();
    let job;
    let en1Size = 8;
    let n = 0;
    let id = 10;
    const submit = () => {
      n += 1;
      s.write(
        encodeSubmit(++id, {
          worker: `bench.m${k}`,
          jobId: job[0],
          extranonce2: hex32(n).padStart(en1Size * 2, '0'),
          ntime: job[7],
          nonce: hex32((n * 2654435761) >>> 0),
        }),
      );
    };
    s.on('data', (chunk) => {
      for (const l of dec.push(chunk)) {
        const m = JSON.parse(l.value);
        if (m.id === 1) en1Size = m.result[2];
        else if (m.method === 'mining.notify' && !job) {
          job = m.params;
          for (let i = 0; i < window; i++) submit();
        } else if (m.id > 10) submit();
      }
    });
    s.on('connect', () => {
      s.write(encodeSubscribe(1, 'bench'));
      s.write(encodeAuthorize(2, `bench.m${k}`, `d=${D}`));
    });
  }
  await new Promise(() => {});
}
