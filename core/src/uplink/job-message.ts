import { bytesToHex, hexToBytes, isHex } from '../bitcoin/index.js';
import { fail, ok, type Result } from '../result.js';
import { hex32, parseHex32, type StratumJob } from '../stratum/index.js';
import type { JobMessage, WireShare } from './message-types.js';

// Conversions between the uplink's binary job/share fields and the Stratum hex forms the agent's
// miners and share pipeline use. Uplink job ids are u32; in Stratum they are 8 lowercase hex digits.

// Plain Uint8Array copies (hexToBytes gives Buffers), so messages compare and serialize alike.
const bytes = (hex: string): Uint8Array => new Uint8Array(hexToBytes(hex));

export function uplinkJobIdToStratum(jobId: number): string {
  return hex32(jobId);
}

export function stratumJobIdToUplink(jobId: string): number | undefined {
  return jobId.length === 8 ? parseHex32(jobId) : undefined;
}

export function jobMessageToStratum(m: JobMessage): StratumJob {
  return {
    jobId: uplinkJobIdToStratum(m.jobId),
    prevhash: bytesToHex(m.prevhash),
    coinb1: bytesToHex(m.coinb1),
    coinb2: bytesToHex(m.coinb2),
    merkleBranch: m.merkleBranch.map(bytesToHex),
    version: hex32(m.version),
    nbits: hex32(m.nbits),
    ntime: hex32(m.ntime),
    cleanJobs: m.cleanJobs,
  };
}

/** Builds a JOB from a Stratum job whose id is 8 hex digits. Throws on malformed input (programmer error). */
export function stratumToJobMessage(job: StratumJob, shareDifficulty: number): JobMessage {
  const jobId = stratumJobIdToUplink(job.jobId);
  const version = parseHex32(job.version);
  const nbits = parseHex32(job.nbits);
  const ntime = parseHex32(job.ntime);
  if (
    jobId === undefined ||
    version === undefined ||
    nbits === undefined ||
    ntime === undefined ||
    !isHex(job.prevhash, 32)
  )
    throw new RangeError(`job ${job.jobId} cannot travel as an uplink JOB`);
  return {
    type: 'job',
    jobId,
    cleanJobs: job.cleanJobs,
    prevhash: bytes(job.prevhash),
    version,
    nbits,
    ntime,
    shareDifficulty,
    coinb1: bytes(job.coinb1),
    coinb2: bytes(job.coinb2),
    merkleBranch: job.merkleBranch.map(bytes),
  };
}

/** A share in Stratum hex form (full extranonce2 as the upstream sees it; version = rolled header version). */
export interface HexShare {
  readonly seq: number;
  readonly jobId: string;
  readonly worker: number;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** The full rolled header version as 8 hex digits, or undefined when the miner did not roll. */
  readonly version?: string;
}

export type WireShareErrorCode = 'UNKNOWN_JOB' | 'NTIME_OUT_OF_RANGE' | 'BAD_FIELD';

/** Packs a share for SHARES given its job's ntime and version. */
export function toWireShare(
  s: HexShare,
  job: { readonly ntime: number; readonly version: number },
  extranonce2Size: number,
): Result<WireShare, WireShareErrorCode> {
  const jobId = stratumJobIdToUplink(s.jobId);
  if (jobId === undefined) return fail('UNKNOWN_JOB', `job id ${s.jobId} is not an uplink job id`);
  const ntime = s.ntime.length === 8 ? parseHex32(s.ntime) : undefined;
  const nonce = s.nonce.length === 8 ? parseHex32(s.nonce) : undefined;
  const version =
    s.version === undefined ? job.version : s.version.length === 8 ? parseHex32(s.version) : undefined;
  if (
    ntime === undefined ||
    nonce === undefined ||
    version === undefined ||
    !isHex(s.extranonce2, extranonce2Size)
  )
    return fail('BAD_FIELD', `share ${s.seq} has a malformed field`);
  const ntimeDelta = ntime - job.ntime;
  if (ntimeDelta < 0 || ntimeDelta > 0xffff)
    return fail(
      'NTIME_OUT_OF_RANGE',
      `share ${s.seq} ntime ${s.ntime} is not within 0..65535 s of the job's`,
    );
  if (((version ^ job.version) & ~0x1fffe000) !== 0)
    return fail(
      'BAD_FIELD',
      `share ${s.seq} version ${s.version} differs from the job's outside bits 13..28`,
    );
  return ok({
    seq: s.seq,
    jobId,
    worker: s.worker,
    extranonce2: bytes(s.extranonce2),
    ntimeDelta,
    nonce,
    versionBits: (version >>> 13) & 0xffff,
  });
}

/** The header fields a gateway rebuilds from a record and its job. */
export function wireShareFields(
  r: WireShare,
  job: { readonly ntime: number; readonly version: number },
): { extranonce2: string; ntime: string; nonce: string; version: string } {
  const version = ((job.version & ~0x1fffe000) | (r.versionBits << 13)) >>> 0;
  return {
    extranonce2: bytesToHex(r.extranonce2),
    ntime: hex32(job.ntime + r.ntimeDelta),
    nonce: hex32(r.nonce),
    version: hex32(version),
  };
}
