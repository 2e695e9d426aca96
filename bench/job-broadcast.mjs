// Job broadcast latency: a new tip at the node → the jobmaster's new job → the gateway → the LAST of
// N Stratum miners holding it. Node (fake bitcoind), jobmaster and gateway run in this process, as
// built (pool/dist); the miners run in a child process so their socket reads do not share the roles'
// thread. Each round mines one block straight through submitblock (the node wakes the jobmaster's
// long-poll), then waits until every miner has the clean job. Two figures per run, p50/p99 over rounds:
//   from_tip: submitblock sent → last miner has the job (RPC + template + job build + fan-out)
//   from_job: the jobmaster has built the job → last miner has it (jobmaster → gateway → miners)
// Times are performance.timeOrigin + now() in both processes (same machine clock).
//   node bench/job-broadcast.mjs [miners=500] [rounds=40]
import { fileURLToPath } from 'node:url';
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
import { hex32, stratumPrevhashToHeader } from '@farmhand/core/stratum';
import {
  PAYOUT,
  forkMiners,
  lastMinerHasJob,
  miners,
  now,
  reportPercentiles,
  startPool,
} from './pool-harness.mjs';

const BENCH = 'job-broadcast';
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'miners') await miners(Number(rest[0]), Number(rest[1]));
else await main(Number(mode ?? 500), Number(rest[0] ?? 40));

async function main(n, rounds) {
  const { BitcoindClient } = await import('../pool/dist/bitcoind/index.js');
  const pool = await startPool({ miners: n, spoolPrefix: 'farmhand-bench-jb-' });
  const { fake, url, jm, gw } = pool;
  const { child, reports } = await forkMiners(fileURLToPath(import.meta.url), gw.stratumPort, n);

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
    const got = await lastMinerHasJob(reports, seen, n, `round ${r}: not every miner got the new job`);
    fromTip.push(got.last - tipAt);
    if (jobAt > 0) fromJob.push(got.last - jobAt);
  }
  reportPercentiles(
    BENCH,
    [
      ['from_tip', fromTip],
      ['from_job', fromJob],
    ],
    n,
    rounds,
  );
  child.kill();
  await node.close();
  await pool.stop();
  process.exit(0);
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
