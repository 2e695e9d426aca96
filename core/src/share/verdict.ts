import { StratumErrorCode } from '../stratum/index.js';

/** Why a share was refused. Stable strings: they are metric labels and SQLite values. */
export type RejectReason =
  | 'job-not-found'
  | 'stale'
  | 'duplicate'
  | 'low-difficulty'
  | 'ntime-out-of-range'
  | 'bad-version'
  | 'bad-extranonce2'
  | 'bad-nonce'
  | 'bad-ntime';

export interface AcceptedShare {
  readonly kind: 'accepted';
  /** The difficulty the share is credited at (the session's, or the previous one during a retarget). */
  readonly difficulty: number;
  /** What the hash actually achieved. */
  readonly shareDifficulty: number;
  /** Header hash, internal byte order. */
  readonly hash: Uint8Array;
  readonly header: Uint8Array;
  /** True when the hash also meets the network target. */
  readonly block: boolean;
  /** The stripped coinbase, present for blocks (needed to assemble the block). */
  readonly coinbase?: Uint8Array;
}

export interface RejectedShare {
  readonly kind: 'rejected';
  readonly reason: RejectReason;
  readonly code: StratumErrorCode;
  readonly message: string;
  readonly shareDifficulty?: number;
  readonly hash?: Uint8Array;
}

export type ShareVerdict = AcceptedShare | RejectedShare;

const REJECT_CODES: Record<RejectReason, StratumErrorCode> = {
  'job-not-found': StratumErrorCode.JobNotFound,
  stale: StratumErrorCode.JobNotFound,
  duplicate: StratumErrorCode.DuplicateShare,
  'low-difficulty': StratumErrorCode.LowDifficultyShare,
  'ntime-out-of-range': StratumErrorCode.Other,
  'bad-version': StratumErrorCode.Other,
  'bad-extranonce2': StratumErrorCode.Other,
  'bad-nonce': StratumErrorCode.Other,
  'bad-ntime': StratumErrorCode.Other,
};

export function reject(
  reason: RejectReason,
  message: string,
  extra: { shareDifficulty?: number; hash?: Uint8Array } = {},
): RejectedShare {
  return { kind: 'rejected', reason, code: REJECT_CODES[reason], message, ...extra };
}
