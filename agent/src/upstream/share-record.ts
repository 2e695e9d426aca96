// A share on its way upstream: what the store keeps and what every Upstream accepts.

export interface ShareRecord {
  /** The store's sequence number: strictly increasing, never reused. */
  readonly seq: number;
  readonly account: string;
  readonly worker: string;
  /** The upstream's job id (as the upstream's 'work' gave it). */
  readonly jobId: string;
  /** The full extranonce2 as the upstream sees it (agent counter ‖ miner's extranonce2), hex. */
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** BIP310 version bits as the miner submitted them (8 hex digits), when it rolls versions. */
  readonly versionBits?: string;
  /** The difficulty the agent credited the share at (the miner's target). */
  readonly difficulty: number;
  /** What the hash achieved; upstreams forward only shares whose achieved difficulty meets theirs. */
  readonly shareDifficulty?: number;
  readonly block: boolean;
  /** When the miner submitted it, ms since the epoch. */
  readonly at: number;
  /**
   * The upstream whose work the share was mined on (UpstreamWork.upstream). Job ids and extranonces
   * mean nothing to another upstream, so UpstreamSet sends the record only there; absent: the active one.
   */
  readonly upstream?: string;
}

export type NewShareRecord = Omit<ShareRecord, 'seq'>;

/** Why an upstream did not credit a record. Upstream-local reasons are prefixed by nothing special. */
export interface ShareAck {
  readonly seq: number;
  readonly accepted: boolean;
  /** For rejects: a stable reason ('duplicate', 'low-difficulty', 'below-upstream-target', ...). */
  readonly reason?: string;
  readonly message?: string;
}
