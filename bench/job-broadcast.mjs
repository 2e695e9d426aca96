// Job broadcast latency: a new tip at the node → the jobmaster's new job → the gateway → the LAST of
// N Stratum miners holding it. Node (fake bitcoind), jobmaster and gateway run in this process, as
// built (pool/dist); the miners run in a child process so their socket reads do not share the roles'
// thread. Each round mines one block straight through submitblock (the node wakes the jobmaster's
// long-poll), then waits until every miner has the clean job. Two figures per run, p50/p99 over rounds:
//   from_tip: submitblock sent → last miner has the job (RPC + template + job build + fan-out)
//   from_job: the jobmaster has built the job → last miner has it (jobmaster → gateway → miners)
// Times are performance.timeOrigin + now() in both processes (same machine clock).
//   node bench/job-broadcast.mjs [miners=500] [rounds=40]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import {
  addressToScript,
  bitsToTarget,
  bytesToHex,
  concatBytes,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  serializeHeader,
  sha256d,
  targetToBytes,
} from '@farmhand/core/bitcoin';
import { assembleFoundBlock, buildJob } from '@farmhand/core/job';
import {
  LineDecoder,
  encodeAuthorize,
  encodeSubscribe,
  hex32,
  stratumPrevhashToHeader,
} from '@farmhand/core/stratum';
import { report } from './report.mjs';

const BENCH = 'job-broadcast';
const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';
const now = () => performance.timeOrigin + performance.now();
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'miners') await miners(Number(rest[0]), Number(rest[1]));
else await main(Number(mode ?? 500), Number(rest[0] ?? 40));

async function main(n, rounds) {
  const { FakeBitcoind } = await import('../pool/dist/fake-bitcoind/index.js');
  const { BitcoindClient } = await import('../pool/dist/bitcoind/index.js');
  const { parseJobmasterConfig } = await import('../pool/dist/jobmaster/config.js');
  const { Jobmaster } = await import('../pool/dist/jobmaster/jobmaster.js');
  const { parseGatewayConfig } = await import('../pool/dist/gateway/config.js');
  const { startGateway } = await import('../pool/dist/gateway/gateway.js');
  const log = pino({ level: 'silent' });
  const fake = new FakeBitcoind({ user: 'u', password: 'p' });
  const { url } = await fake.listen();
  const jmc = parseJobmasterConfig({
    bitcoind: [{ url }],
    payoutAddress: PAYOUT,
    listen: { host: '127.0.0.1', port: 0 },
  });
  const jm = new Jobmaster(jmc.value, log);
  const { port: jmPort } = await jm.start();
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-bench-jb-'));
  const gwc = parseGatewayConfig({
    name: 'gw-bench',
    host: 'gw-bench.local',
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    jobmaster: [`127.0.0.1:${jmPort}`],
    startDifficulty: 1e-6,
    minDifficulty: 1e-6,
    maxConnectionsPerIp: n + 10,
    spool: { dir },
    logLevel: 'silent',
  });
  if (!gwc.ok) throw new Error(gwc.error.message);
  const gw = await startGateway(gwc.value, log);
  while (!gw.work.current) await sleep(10);

  const child = fork(fileURLToPath(import.meta.url), ['miners', String(gw.stratumPort), String(n)]);
  const reports = [];
  let ready = false;
  child.on('message', (m) => {
    if (m.type === 'ready') ready = true;
    else reports.push(m);
  });
  while (!ready) await sleep(20);

  let jobAt = 0;
  jm.on('job', () => {
    if (jobAt === 0) jobAt = now(); // the first job after the tip: the clean one
  });
  const node = new BitcoindClient({ url });
  const script = addressToScript(PAYOUT, 'regtest').value.scriptPubKey;
  const fromTip = [];
  const fromJob = [];
  for (let r = 0; r < rounds; r++) {
    const seen = reports.length;
    const hex = mineBlock(fake.chain.template(), script);
    jobAt = 0;
    const tipAt = now();
    const res = await node.submitBlock(hex);
    if (!res.ok || res.value !== null) throw new Error(`block refused: ${JSON.stringify(res)}`);
    const deadline = Date.now() + 10_000;
    let got;
    while (!(got = reports.slice(seen).find((x) => x.clean && x.count === n))) {
      if (Date.now() > deadline) throw new Error(`round ${r}: not every miner got the new job`);
      await sleep(1);
    }
    fromTip.push(got.last - tipAt);
    if (jobAt > 0) fromJob.push(got.last - jobAt);
  }
  const extra = { miners: n, rounds, cpus: (await import('node:os')).availableParallelism() };
  for (const [metric, xs] of [
    ['from_tip', fromTip],
    ['from_job', fromJob],
  ]) {
    xs.sort((a, b) => a - b);
    report(BENCH, `${metric}_p50`, pct(xs, 0.5), 'ms', extra);
    report(BENCH, `${metric}_p99`, pct(xs, 0.99), 'ms', extra);
  }
  child.kill();
  await node.close();
  await gw.stop();
  await jm.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** N Stratum clients; per gateway job id, reports when the last of them had its notify. */
async function miners(port, n) {
  const jobs = new Map();
  const open = [];
  for (let i = 0; i < n; i++) {
    open.push(
      new Promise((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.setNoDelay(true);
        const dec = new LineDecoder();
        let first = true;
        s.on('data', (chunk) => {
          const t = now();
          for (const l of dec.push(chunk)) {
            if (!l.ok) continue;
            const m = JSON.parse(l.value);
            if (m.method !== 'mining.notify') continue;
            if (first) {
              first = false;
              resolve();
              continue;
            }
            const id = m.params[0];
            const j = jobs.get(id) ?? { id, clean: m.params[8], count: 0, first: t, last: t };
            j.count += 1;
            j.last = t;
            jobs.set(id, j);
            if (j.count === n) process.send({ type: 'job', ...j });
          }
        });
        s.on('error', () => {});
        s.on('connect', () => {
          s.write(encodeSubscribe(1, 'bench/1'));
          s.write(encodeAuthorize(2, `bench.m${i}`, 'x'));
        });
      }),
    );
    if (i % 100 === 99) await sleep(5); // do not trip the accept queue
  }
  await Promise.all(open);
  process.send({ type: 'ready' });
}

/** A block on the node's template paying PAYOUT (regtest bits: a few nonces). */
function mineBlock(template, payoutScript) {
  const built = buildJob(template, { payoutScript, extranonceSize: 8, jobId: 'bench' });
  if (!built.ok) throw new Error(built.error.message);
  const job = built.value.job;
  const en = '0000000000000000';
  const root = rootFromBranch(
    sha256d(concatBytes(hexToBytes(job.coinb1), hexToBytes(en), hexToBytes(job.coinb2))),
    job.merkleBranch.map(hexToBytes),
  );
  const bits = Number.parseInt(job.nbits, 16);
  const target = targetToBytes(bitsToTarget(bits));
  for (let nonce = 0; ; nonce++) {
    const header = serializeHeader({
      version: Number.parseInt(job.version, 16),
      prevHash: stratumPrevhashToHeader(job.prevhash),
      merkleRoot: root,
      time: Number.parseInt(job.ntime, 16),
      bits,
      nonce,
    });
    if (hashMeetsTarget(sha256d(header), target)) {
      const block = assembleFoundBlock(built.value, en, job.ntime, hex32(nonce), job.version);
      if (!block.ok) throw new Error(block.error.message);
      return bytesToHex(block.value.block);
    }
  }
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
