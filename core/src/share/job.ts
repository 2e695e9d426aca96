import { bitsToTarget, hexToBytes, targetToBytes } from '../bitcoin/index.js';
import { type Result, fail, ok } from '../result.js';
import { type StratumJob, isHex, parseHex32, stratumPrevhashToHeader } from '../stratum/index.js';

/** A job decoded once into the bytes the validator hashes. */
export interface ShareJob {
  readonly jobId: string;
  readonly prevHash: Uint8Array;
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly branch: readonly Uint8Array[];
  readonly version: number;
  readonly bits: number;
  readonly ntime: number;
  readonly cleanJobs: boolean;
  /** The network target from nBits, 32 little-endian bytes. */
  readonly networkTarget: Uint8Array;
  /** The notify form, kept for block assembly and logs. */
  readonly notify: StratumJob;
}

export type JobErrorCode = 'BAD_JOB';

export function prepareJob(job: StratumJob): Result<ShareJob, JobErrorCode> {
  const bad = (field: string) => fail('BAD_JOB', `job ${job.jobId}: ${field} is not valid hex`);
  if (!isHex(job.prevhash, 32)) return bad('prevhash');
  if (!isHex(job.coinb1)) return bad('coinb1');
  if (!isHex(job.coinb2)) return bad('coinb2');
  if (!job.merkleBranch.every((h) => isHex(h, 32))) return bad('merkle branch');
  const version = parseHex32(job.version);
  const bits = parseHex32(job.nbits);
  const ntime = parseHex32(job.ntime);
  if (version === undefined) return bad('version');
  if (bits === undefined) return bad('nbits');
  if (ntime === undefined) return bad('ntime');
  return ok({
    jobId: job.jobId,
    prevHash: stratumPrevhashToHeader(job.prevhash),
    coinb1: hexToBytes(job.coinb1),
    coinb2: hexToBytes(job.coinb2),
    branch: job.merkleBranch.map(hexToBytes),
    version,
    bits,
    ntime,
    cleanJobs: job.cleanJobs,
    networkTarget: targetToBytes(bitsToTarget(bits)),
    notify: job,
  });
}
