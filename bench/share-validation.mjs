// Shares validated per second on one core (this process is single-threaded), cold and warm, and the
// hash function choice (node:crypto vs @noble/hashes) measured on the same inputs.
import { hash as nodeHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@farmhand/core/bitcoin';
import { ShareValidator, prepareJob } from '@farmhand/core/share';
import { report, opsPerSecond } from './report.mjs';

const BENCH = 'share-validation';
const hex = (n) => bytesToHex(randomBytes(n));
const job = prepareJob({
  jobId: 'bench',
  prevhash: hex(32),
  coinb1: hex(58),
  coinb2: hex(140),
  merkleBranch: Array.from({ length: 12 }, () => hex(32)), // ~4,000 transactions
  version: '20000000',
  nbits: '17034219',
  ntime: '66000000',
  cleanJobs: true,
});
if (!job.ok) throw new Error(job.error.message);
const session = {
  extranonce1: Buffer.from('0a0b0c0d', 'hex'),
  extranonce1Hex: '0a0b0c0d',
  extranonce2Size: 4,
  versionMask: 0x1fffe000,
  difficulty: 1e-15, // every share passes, so the accepted path (duplicate memory included) is measured
};
const NOW = 0x66000000;
const h8 = (n) => (n >>> 0).toString(16).padStart(8, '0');

function validator() {
  const v = new ShareValidator({ duplicateGeneration: 1_000_000, merkleCacheSize: 8192 });
  v.addJob(job.value);
  return v;
}

// Cold: a new extranonce2 every share, so coinbase hash + 12 merkle steps + header hash.
let v = validator();
let rejected = 0;
const cold = opsPerSecond((i) => {
  if (
    v.check(
      session,
      { jobId: 'bench', extranonce2: h8(i), ntime: '66000000', nonce: h8(i * 7), versionBits: '00000000' },
      NOW,
    ).kind !== 'accepted'
  )
    rejected++;
  if (i % 500_000 === 499_999) v = validator();
});
report(BENCH, 'cold_shares_per_s', cold, 'shares/s', { merkle_levels: 12, goal: 25000 });

// Warm: the same extranonce2 (cached merkle root), version and ntime rolling: one header hash.
// The submissions' hex strings are made up front, so the figure is the validator's, not the formatting's.
const nonces = Array.from({ length: 65536 }, (_, i) => h8(i * 2654435761));
const versions = Array.from({ length: 256 }, (_, i) => h8(i << 13));
const ntimes = Array.from({ length: 16 }, (_, i) => h8(0x66000000 + i));
v = validator();
const warm = opsPerSecond((i) => {
  const n = i & 0xffffff;
  if (
    v.check(
      session,
      {
        jobId: 'bench',
        extranonce2: '00000001',
        ntime: ntimes[(n >>> 24) & 0xf] ?? ntimes[0],
        nonce: nonces[n & 0xffff],
        versionBits: versions[(n >>> 16) & 0xff],
      },
      NOW,
    ).kind !== 'accepted'
  )
    rejected++;
  if (i % 500_000 === 499_999) v = validator();
});
report(BENCH, 'warm_shares_per_s', warm, 'shares/s', { goal: 200000 });

const header = randomBytes(80);
const nodeD = opsPerSecond(() => nodeHash('sha256', nodeHash('sha256', header, 'buffer'), 'buffer'));
const nobleD = opsPerSecond(() => nobleSha256(nobleSha256(header)));
report(BENCH, 'sha256d_80B_node_crypto', nodeD, 'hashes/s');
report(BENCH, 'sha256d_80B_noble', nobleD, 'hashes/s');
report(BENCH, 'node_crypto_vs_noble', nodeD / nobleD, 'ratio');
if (rejected) console.log(`note: ${rejected} shares were rejected (should be 0)`);
console.log(
  `cold ${Math.round(cold)} shares/s (goal 25,000), warm ${Math.round(warm)} shares/s (goal 200,000) on one core`,
);
