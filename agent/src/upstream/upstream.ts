import type { EventEmitter } from 'node:events';
import type { StratumJob } from '@farmhand/core/stratum';
import type { ShareRecord } from './share-record.js';

// What every upstream (a gateway over the uplink, or a plain Stratum V1 pool) offers the agent.

/** The work space an upstream hands the agent (docs/uplink.md, contracts: extranonce model). */
export interface UpstreamWork {
  readonly job: StratumJob;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** The upstream's share difficulty: shares below it are not forwarded. */
  readonly difficulty?: number;
  /** BIP310 mask the upstream accepts (0 when it does not roll versions). */
  readonly versionMask?: number;
  /** The upstream's name, set by UpstreamSet (store it with each share as ShareRecord.upstream). */
  readonly upstream?: string;
}

export interface UpstreamState {
  readonly connected: boolean;
  readonly latencyMs?: number;
  readonly lastError?: string;
}

/**
 * Events: 'work' (UpstreamWork), 'up' (), 'down' (reason: string), 'ack' (ShareAck[]).
 * After 'up' the caller resubmits its un-acknowledged records (the store drives replay); records
 * submitted while down are dropped, not queued, for the same reason.
 */
export interface Upstream extends EventEmitter {
  readonly name: string;
  readonly kind: 'uplink' | 'stratum';
  connect(): void;
  close(): Promise<void>;
  state(): UpstreamState;
  submitShares(records: readonly ShareRecord[]): void;
}
