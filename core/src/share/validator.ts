import {
  concatBytes,
  difficultyToTarget,
  hashDifficulty,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  sha256d,
  targetToBytes,
  writeHeader,
} from '../bitcoin/index.js';
import { isHex, parseHex32, rolledVersion, versionWithinMask } from '../stratum/index.js';
import type { ShareJob } from './job.js';
import { type AcceptedShare, type ShareVerdict, reject } from './verdict.js';

/** What the validator needs to know about the connection a share came from. */
export interface ShareSession {
  readonly extranonce1: Uint8Array;
  readonly extranonce1Hex: string;
  readonly extranonce2Size: number;
  /** The BIP310 mask granted to this miner (0 when it does not roll versions). */
  readonly versionMask: number;
  readonly difficulty: number;
  /** The difficulty before the last retarget: shares already in flight still meet it. */
  readonly previousDifficulty?: number;
}

/** The fields of a mining.submit, as validated hex strings from the codec. */
export interface ShareSubmission {
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
}

export interface ShareValidatorOptions {
  /** Live jobs kept; older ones become stale. */
  maxJobs: number;
  /** Retired job ids remembered, so a late share says "stale" rather than "unknown job". */
  retiredJobIds: number;
  /** How far past max(now, job ntime) a rolled ntime may go (consensus allows 2 h). */
  ntimeMaxForwardSeconds: number;
  /** Shares remembered per job for duplicate detection (two generations of this many). */
  duplicateGeneration: number;
  /** Merkle roots cached per job, one per (extranonce1, extranonce2). */
  merkleCacheSize: number;
}

export const DEFAULT_SHARE_VALIDATOR: ShareValidatorOptions = {
  maxJobs: 16,
  retiredJobIds: 256,
  ntimeMaxForwardSeconds: 7000,
  duplicateGeneration: 250_000,
  merkleCacheSize: 8192,
};

interface JobState {
  readonly job: ShareJob;
  readonly roots: Map<string, { root: Uint8Array; coinbase: Uint8Array }>;
  seen: Set<string>;
  seenBefore: Set<string>;
}

/**
 * The one share-validation pipeline of the agent and the gateway: job lookup, extranonce2, ntime window,
 * version mask, duplicates, then the header hash against the connection's and the network's targets.
 */
export class ShareValidator {
  private readonly jobs = new Map<string, JobState>();
  private readonly retired = new Set<string>();
  private readonly targets = new Map<number, Uint8Array>();
  private readonly header = new Uint8Array(80);
  readonly options: ShareValidatorOptions;

  constructor(options: Partial<ShareValidatorOptions> = {}) {
    this.options = { ...DEFAULT_SHARE_VALIDATOR, ...options };
  }

  /** Adds a job; a clean job (new tip) retires every earlier one. */
  addJob(job: ShareJob): void {
    if (job.cleanJobs) for (const id of [...this.jobs.keys()]) this.retire(id);
    this.retire(job.jobId);
    this.retired.delete(job.jobId);
    this.jobs.set(job.jobId, { job, roots: new Map(), seen: new Set(), seenBefore: new Set() });
    while (this.jobs.size > this.options.maxJobs) this.retire(this.jobs.keys().next().value!);
  }

  getJob(jobId: string): ShareJob | undefined {
    return this.jobs.get(jobId)?.job;
  }

  get liveJobs(): number {
    return this.jobs.size;
  }

  check(session: ShareSession, submit: ShareSubmission, nowSeconds: number): ShareVerdict {
    const state = this.jobs.get(submit.jobId);
    if (!state) {
      return this.retired.has(submit.jobId)
        ? reject('stale', `job ${submit.jobId} is stale (a newer block or job replaced it)`)
        : reject('job-not-found', `job ${submit.jobId} is unknown`);
    }
    const { job } = state;
    if (!isHex(submit.extranonce2, session.extranonce2Size)) {
      return reject('bad-extranonce2', `extranonce2 must be ${session.extranonce2Size} bytes of hex`);
    }
    const ntime = submit.ntime.length === 8 ? parseHex32(submit.ntime) : undefined;
    if (ntime === undefined) return reject('bad-ntime', 'ntime must be 8 hex digits');
    if (ntime < job.ntime)
      return reject('ntime-out-of-range', `ntime ${submit.ntime} is before the job's ${job.notify.ntime}`);
    if (ntime > Math.max(nowSeconds, job.ntime) + this.options.ntimeMaxForwardSeconds) {
      return reject('ntime-out-of-range', `ntime ${submit.ntime} is too far in the future`);
    }
    const nonce = submit.nonce.length === 8 ? parseHex32(submit.nonce) : undefined;
    if (nonce === undefined) return reject('bad-nonce', 'nonce must be 8 hex digits');
    let version = job.version;
    if (submit.versionBits !== undefined) {
      const bits = submit.versionBits.length === 8 ? parseHex32(submit.versionBits) : undefined;
      if (bits === undefined) return reject('bad-version', 'version bits must be 8 hex digits');
      if (!versionWithinMask(job.version, bits, session.versionMask)) {
        return reject(
          'bad-version',
          `version bits ${submit.versionBits} are outside the negotiated mask ${session.versionMask.toString(16).padStart(8, '0')}`,
        );
      }
      version = rolledVersion(job.version, bits, session.versionMask);
    }

    // Parsed numbers, not the strings sent: "ABCD0000" and "abcd0000" are the same share.
    const key = `${session.extranonce1Hex}${submit.extranonce2.toLowerCase()}${ntime}/${nonce}/${version}`;
    if (state.seen.has(key) || state.seenBefore.has(key)) return reject('duplicate', 'duplicate share');

    const { root, coinbase } = this.merkleRoot(state, session, submit.extranonce2);
    writeHeader(this.header, version, job.prevHash, root, ntime, job.bits, nonce);
    const hash = sha256d(this.header);
    const shareDifficulty = hashDifficulty(hash);
    const block = hashMeetsTarget(hash, job.networkTarget);

    let difficulty: number;
    if (hashMeetsTarget(hash, this.target(session.difficulty))) difficulty = session.difficulty;
    else if (
      session.previousDifficulty !== undefined &&
      hashMeetsTarget(hash, this.target(session.previousDifficulty))
    ) {
      difficulty = session.previousDifficulty;
    } else if (block) {
      difficulty = shareDifficulty; // only where the network is easier than the share target (regtest)
    } else {
      return reject(
        'low-difficulty',
        `share difficulty ${formatDifficulty(shareDifficulty)} is below ${formatDifficulty(session.difficulty)}`,
        {
          shareDifficulty,
          hash,
        },
      );
    }

    this.remember(state, key);
    const accepted: AcceptedShare = {
      kind: 'accepted',
      difficulty,
      shareDifficulty,
      hash,
      header: this.header.slice(),
      block,
    };
    return block ? { ...accepted, coinbase } : accepted;
  }

  private merkleRoot(
    state: JobState,
    session: ShareSession,
    extranonce2: string,
  ): { root: Uint8Array; coinbase: Uint8Array } {
    const cacheKey = session.extranonce1Hex + extranonce2;
    let entry = state.roots.get(cacheKey);
    if (!entry) {
      const coinbase = concatBytes(
        state.job.coinb1,
        session.extranonce1,
        hexToBytes(extranonce2),
        state.job.coinb2,
      );
      entry = { root: rootFromBranch(sha256d(coinbase), state.job.branch), coinbase };
      if (state.roots.size >= this.options.merkleCacheSize) state.roots.clear();
      state.roots.set(cacheKey, entry);
    }
    return entry;
  }

  private remember(state: JobState, key: string): void {
    if (state.seen.size >= this.options.duplicateGeneration) {
      state.seenBefore = state.seen;
      state.seen = new Set();
    }
    state.seen.add(key);
  }

  private target(difficulty: number): Uint8Array {
    let t = this.targets.get(difficulty);
    if (!t) {
      t = targetToBytes(difficultyToTarget(difficulty));
      if (this.targets.size > 1024) this.targets.clear();
      this.targets.set(difficulty, t);
    }
    return t;
  }

  private retire(jobId: string): void {
    if (!this.jobs.delete(jobId)) return;
    this.retired.add(jobId);
    if (this.retired.size > this.options.retiredJobIds)
      this.retired.delete(this.retired.values().next().value!);
  }
}

export function formatDifficulty(d: number): string {
  return d >= 1000 ? d.toFixed(0) : Number(d.toPrecision(6)).toString();
}
