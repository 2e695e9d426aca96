import type { ShareVerdict } from '@farmhand/core/share';

// What the server tells the rest of the agent (store, upstream, control API).

export interface ShareEvent {
  readonly sessionId: string;
  readonly account: string;
  readonly worker: string;
  readonly peer: string;
  readonly jobId: string;
  readonly extranonce1: string;
  /** The miner's own extranonce2 (upstream's view is the extranonce1 counter followed by this). */
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
  readonly verdict: ShareVerdict;
  readonly difficulty: number;
  /** ms since the epoch */
  readonly at: number;
}

export interface AuthorizeEvent {
  readonly sessionId: string;
  readonly account: string;
  readonly worker: string;
  readonly peer: string;
}

export interface ConnectEvent {
  readonly sessionId: string;
  readonly peer: string;
}

/** Why the server closed a connection (or saw it closed): stable strings, metric labels. */
export type DisconnectCode =
  | 'peer-closed'
  | 'socket-error'
  | 'idle'
  | 'flood'
  | 'line-too-long'
  | 'slow-consumer'
  | 'invalid-shares'
  | 'extranonce-changed'
  | 'extranonce-exhausted'
  | 'disconnect-all'
  | 'server-close';

export interface DisconnectEvent {
  readonly sessionId: string;
  readonly peer: string;
  readonly account?: string;
  readonly worker?: string;
  readonly code: DisconnectCode;
  readonly reason: string;
}

/** One miner connection, for the control API and stats. */
export interface MinerSessionInfo {
  readonly sessionId: string;
  readonly peer: string;
  readonly userAgent?: string;
  readonly account?: string;
  readonly worker?: string;
  readonly extranonce1?: string;
  readonly subscribed: boolean;
  readonly authorized: boolean;
  readonly difficulty?: number;
  readonly versionMask: number;
  readonly connectedAt: number;
  readonly accepted: number;
  readonly acceptedDifficulty: number;
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  readonly lastShareAt?: number;
  /** Hashes per second from accepted difficulty over the last 10 minutes. */
  readonly hashrate: number;
}

/** Counters since start, for Prometheus and the summary. */
export interface StratumServerStats {
  connections: number;
  connectionsTotal: number;
  refused: number;
  disconnects: Record<string, number>;
  sharesAccepted: number;
  acceptedDifficulty: number;
  sharesRejected: Record<string, number>;
  blocks: number;
  jobs: number;
  rebroadcasts: number;
  messagesIn: number;
  sinkFailures: number;
}
