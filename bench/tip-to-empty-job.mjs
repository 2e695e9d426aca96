// Tip → empty-block job latency: a P2P node announces a new block header to bitpeer → bitpeer checks it
// and sends NEW_TIP → the jobmaster builds an empty-block job → the gateway → the LAST of N Stratum
// miners holding it. bitpeer, jobmaster, gateway and the announcing node run in this process, as built
// (pool/dist); the miners run in a child process. Each round mines one regtest header on the last one
// (a few nonces) and announces it in a `headers` message. Figures, p50/p99 over rounds:
//   from_header: headers message written → last miner has the empty job
//   to_jobmaster: headers message written → the jobmaster has built the empty job
// Times are performance.timeOrigin + now() in both processes (same machine clock).
//   node bench/tip-to-empty-job.mjs [miners=500] [rounds=40]
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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
import {
  forkMiners,
  lastMinerHasJob,
  miners,
  now,
  reportPercentiles,
  sleep,
  startPool,
} from './pool-harness.mjs';

const BENCH = 'tip-to-empty-job';
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'miners') await miners(Number(rest[0]), Number(rest[1]));
else await main(Number(mode ?? 500), Number(rest[0] ?? 40));

async function main(n, rounds) {
  const { Bitpeer, parseBitpeerConfig } = await import('../pool/dist/bitpeer/index.js');
  const pool = await startPool({
    miners: n,
    // the node never gets these blocks: stay on empty jobs for the whole run
    jobmaster: { emptyBlockMs: 600_000 },
    spoolPrefix: 'farmhand-bench-tip-',
  });
  const { log, fake, jm, jmPort, gw } = pool;
  const start = fake.chain.template();

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

  const { child, reports } = await forkMiners(fileURLToPath(import.meta.url), gw.stratumPort, n);

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
    const got = await lastMinerHasJob(reports, seen, n, `round ${r}: not every miner got the empty job`);
    fromHeader.push(got.last - sentAt);
    if (emptyAt > 0) toJobmaster.push(emptyAt - sentAt);
  }
  reportPercentiles(
    BENCH,
    [
      ['from_header', fromHeader],
      ['to_jobmaster', toJobmaster],
    ],
    n,
    rounds,
  );
  child.kill();
  await bitpeer.stop();
  await pool.stop();
  p2p.close();
  process.exit(0);
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
