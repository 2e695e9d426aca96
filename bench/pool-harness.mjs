// The pool that the job-latency benches measure: a fake bitcoind, a jobmaster and a gateway in this
// process, as built (pool/dist), plus N Stratum miners in a child process (so their socket reads do not
// share the roles' thread) that report when the last of them holds each job.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LineDecoder, encodeAuthorize, encodeSubscribe } from '@farmhand/core/stratum';
import { report } from './report.mjs';

export const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';
/** Times are performance.timeOrigin + now() in both processes (same machine clock). */
export const now = () => performance.timeOrigin + performance.now();

/**
 * Starts node, jobmaster and gateway (room for `miners` connections from one IP) and waits for the
 * gateway's first job. `jobmaster` adds to the jobmaster's config; `spoolPrefix` names the temp dir.
 */
export async function startPool({ miners, jobmaster = {}, spoolPrefix }) {
  const { FakeBitcoind } = await import('../pool/dist/fake-bitcoind/index.js');
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
    ...jobmaster,
  });
  const jm = new Jobmaster(jmc.value, log);
  const { port: jmPort } = await jm.start();
  const dir = mkdtempSync(join(tmpdir(), spoolPrefix));
  const gwc = parseGatewayConfig({
    name: 'gw-bench',
    host: 'gw-bench.local',
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    jobmaster: [`127.0.0.1:${jmPort}`],
    startDifficulty: 1e-6,
    minDifficulty: 1e-6,
    maxConnectionsPerIp: miners + 10,
    spool: { dir },
    logLevel: 'silent',
  });
  if (!gwc.ok) throw new Error(gwc.error.message);
  const gw = await startGateway(gwc.value, log);
  while (!gw.work.current) await sleep(10);
  const stop = async () => {
    await gw.stop();
    await jm.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { log, fake, url, jm, jmPort, gw, stop };
}

/**
 * Forks `script` (a bench file) in its 'miners' mode against the gateway and waits until every miner
 * has its first job. `reports` fills with one entry per job once all `n` miners hold it.
 */
export async function forkMiners(script, stratumPort, n) {
  const child = fork(script, ['miners', String(stratumPort), String(n)]);
  const reports = [];
  let ready = false;
  child.on('message', (m) => {
    if (m.type === 'ready') ready = true;
    else reports.push(m);
  });
  while (!ready) await sleep(20);
  return { child, reports };
}

/** The first clean job after reports[seen] that all `n` miners hold; throws after 10 s. */
export async function lastMinerHasJob(reports, seen, n, failure) {
  const deadline = Date.now() + 10_000;
  let got;
  while (!(got = reports.slice(seen).find((x) => x.clean && x.count === n))) {
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(1);
  }
  return got;
}

/** One p50 and one p99 JSON line per [metric, samples]. */
export function reportPercentiles(bench, series, n, rounds) {
  const extra = { miners: n, rounds, cpus: availableParallelism() };
  for (const [metric, xs] of series) {
    xs.sort((a, b) => a - b);
    report(bench, `${metric}_p50`, pct(xs, 0.5), 'ms', extra);
    report(bench, `${metric}_p99`, pct(xs, 0.99), 'ms', extra);
  }
}

/** The child side: N Stratum clients; per gateway job id, reports when the last of them had its notify. */
export async function miners(port, n) {
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

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
