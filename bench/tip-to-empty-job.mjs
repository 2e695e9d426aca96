// Tip → empty-block job latency: a P2P node announces a new block header to bitpeer → bitpeer checks it
// and sends NEW_TIP → the jobmaster builds an empty-block job → the gateway → the LAST of N Stratum
// miners holding it. bitpeer, jobmaster, gateway and the announcing node run in this process, as built
// (pool/dist); the miners run in a child process. Each round mines one regtest header on the last one
// (a few nonces) and announces it in a `headers` message. Figures, p50/p99 over rounds:
//   from_header: headers message written → last miner has the empty job
//   to_jobmaster: headers message written → the jobmaster has built the empty job
// Times are performance.timeOrigin + now() in both processes (same machine clock).
//   node bench/tip-to-empty-job.mjs [miners=500] [rounds=40]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import {
  bitsToTarget,
  bytesToHex,
  hashMeetsTarget,
  hexToBytes,
  reversed,
  serializeHeader,
  sha256d,
  targetToBytes,
} from '@farmhand/core/bitcoin';
import {
  EnvelopeDecoder,
  NETWORK_MAGIC,
  decodePayload,
  encodeEnvelope,
  encodePayload,
  ipv4Mapped,
} from '@farmhand/core/p2p';
import { LineDecoder, encodeAuthorize, encodeSubscribe } from '@farmhand/core/stratum';
import { report } from './report.mjs';

const BENCH = 'tip-to-empty-job';
const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';
const now = () => performance.timeOrigin + performance.now();
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'miners') await miners(Number(rest[0]), Number(rest[1]));
else await main(Number(mode ?? 500), Number(rest[0] ?? 40));

async function main(n, rounds) {
  const { FakeBitcoind } = await import('../pool/dist/fake-bitcoind/index.js');
  const { parseJobmasterConfig } = await import('../pool/dist/jobmaster/config.js');
  const { Jobmaster } = await import('../pool/dist/jobmaster/jobmaster.js');
  const { parseGatewayConfig } = await import('../pool/dist/gateway/config.js');
  const { startGateway } = await import('../pool/dist/gateway/gateway.js');
  const { Bitpeer, parseBitpeerConfig } = await import('../pool/dist/bitpeer/index.js');
  const log = pino({ level: 'silent' });
  const fake = new FakeBitcoind({ user: 'u', password: 'p' });
  const { url } = await fake.listen();
  const start = fake.chain.template();
  const jmc = parseJobmasterConfig({
    bitcoind: [{ url }],
    payoutAddress: PAYOUT,
    listen: { host: '127.0.0.1', port: 0 },
    emptyBlockMs: 600_000, // the node never gets these blocks: stay on empty jobs for the whole run
  });
  const jm = new Jobmaster(jmc.value, log);
  const { port: jmPort } = await jm.start();
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-bench-tip-'));
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

  // The announcing node: answers the handshake, then writes headers when told.
  const magic = NETWORK_MAGIC.regtest;
  let peer = null;
  const p2p = createServer((s) => {
    s.setNoDelay(true);
    const dec = new EnvelopeDecoder(magic);
    const send = (m) => s.write(encodeEnvelope(magic, m.type, encodePayload(m)));
    s.on('data', (chunk) => {
      for (const r of dec.push(chunk)) {
        if (!r.ok) throw new Error(r.error.message);
        const m = decodePayload(r.value.command, r.value.payload);
        if (!m.ok) continue;
        if (m.value.type === 'version') {
          send({
            type: 'version',
            version: 70016,
            services: 9n,
            timestamp: BigInt(Math.floor(Date.now() / 1000)),
            addrRecv: { services: 0n, ip: ipv4Mapped('127.0.0.1'), port: 0 },
            addrFrom: { services: 9n, ip: ipv4Mapped('127.0.0.1'), port: 0 },
            nonce: 1n,
            userAgent: '/bench-node/',
            startHeight: start.height - 1,
            relay: true,
          });
          send({ type: 'verack' });
          send({ type: 'sendheaders' });
        }
        if (m.value.type === 'ping') send({ type: 'pong', nonce: m.value.nonce });
        if (m.value.type === 'getheaders') peer = send;
      }
    });
  });
  await new Promise((r) => p2p.listen(0, '127.0.0.1', r));
  const bpc = parseBitpeerConfig({
    network: 'regtest',
    peers: [`127.0.0.1:${p2p.address().port}`],
    tip: { hash: start.previousblockhash, height: start.height - 1, bits: start.bits },
    jobmasters: [`127.0.0.1:${jmPort}`],
    logLevel: 'silent',
  });
  if (!bpc.ok) throw new Error(bpc.error.message);
  const bitpeer = new Bitpeer(bpc.value, log);
  await bitpeer.start();
  while (!peer || bitpeer.jobmastersConnected === 0) await sleep(10);

  const child = fork(fileURLToPath(import.meta.url), ['miners', String(gw.stratumPort), String(n)]);
  const reports = [];
  let ready = false;
  child.on('message', (m) => {
    if (m.type === 'ready') ready = true;
    else reports.push(m);
  });
  while (!ready) await sleep(20);

  let emptyAt = 0;
  jm.on('job', (e) => {
    if (e.empty && emptyAt === 0) emptyAt = now();
  });
  const fromHeader = [];
  const toJobmaster = [];
  let prev = start.previousblockhash;
  const bits = Number.parseInt(start.bits, 16);
  for (let r = 0; r < rounds; r++) {
    const header = mineHeader(prev, bits);
    prev = bytesToHex(reversed(sha256d(header)));
    const seen = reports.length;
    emptyAt = 0;
    const sentAt = now();
    peer({ type: 'headers', headers: [header] });
    const deadline = Date.now() + 10_000;
    let got;
    while (!(got = reports.slice(seen).find((x) => x.clean && x.count === n))) {
      if (Date.now() > deadline) throw new Error(`round ${r}: not every miner got the empty job`);
      await sleep(1);
    }
    fromHeader.push(got.last - sentAt);
    if (emptyAt > 0) toJobmaster.push(emptyAt - sentAt);
  }
  const extra = { miners: n, rounds, cpus: (await import('node:os')).availableParallelism() };
  for (const [metric, xs] of [
    ['from_header', fromHeader],
    ['to_jobmaster', toJobmaster],
  ]) {
    xs.sort((a, b) => a - b);
    report(BENCH, `${metric}_p50`, pct(xs, 0.5), 'ms', extra);
    report(BENCH, `${metric}_p99`, pct(xs, 0.99), 'ms', extra);
  }
  child.kill();
  await bitpeer.stop();
  await gw.stop();
  await jm.stop();
  await fake.close();
  p2p.close();
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

/** A regtest header on `prevDisplay` (a few nonces at nBits 207fffff). */
function mineHeader(prevDisplay, bits) {
  const target = targetToBytes(bitsToTarget(bits));
  const merkleRoot = randomBytes(32);
  const time = Math.floor(Date.now() / 1000);
  for (let nonce = 0; ; nonce++) {
    const header = serializeHeader({
      version: 0x20000000,
      prevHash: reversed(hexToBytes(prevDisplay)),
      merkleRoot,
      time,
      bits,
      nonce,
    });
    if (hashMeetsTarget(sha256d(header), target)) return header;
  }
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
