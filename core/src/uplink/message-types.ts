import type { RejectReason } from '../share/index.js';

// The uplink message layer (docs/uplink.md): one interface per message. The frame type byte says
// which; bodies are exact big-endian layouts. Byte fields stay bytes here; jobs convert to the
// Stratum form in job-message.ts.

export const UPLINK_PROTOCOL_VERSION = 1;

export const UplinkType = {
  Hello: 0x01,
  Challenge: 0x02,
  Auth: 0x03,
  Welcome: 0x04,
  Job: 0x10,
  Shares: 0x11,
  Ack: 0x12,
  Block: 0x13,
  Event: 0x20,
  Status: 0x21,
  Ping: 0x30,
  Pong: 0x31,
  Error: 0x3f,
} as const;
export type UplinkType = (typeof UplinkType)[keyof typeof UplinkType];

/** Agent → gateway, first frame of a connection. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly protocolVersion: number;
  /** 1..64 characters of [A-Za-z0-9._-]. */
  readonly agentId: string;
  /** Agent software and version, e.g. "farmhand/0.1.0"; at most 64 bytes. */
  readonly software: string;
}

/** Gateway → agent: 32 random bytes the agent must prove its token over. */
export interface ChallengeMessage {
  readonly type: 'challenge';
  readonly nonce: Uint8Array;
}

/** Agent → gateway: HMAC-SHA256(token, nonce || agentId). */
export interface AuthMessage {
  readonly type: 'auth';
  readonly proof: Uint8Array;
}

/** Gateway → agent: the session is open. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly sessionId: number;
  /** The extranonce1 the gateway gives this agent; the agent appends its per-miner counter. */
  readonly extranoncePrefix: Uint8Array;
  /** Bytes of extranonce2 left to the agent (its counter + the miners' extranonce2). Also the size of the en2 field of every SHARES record. */
  readonly extranonce2Size: number;
  /** BIP310 mask the gateway accepts; a subset of 0x1fffe000 (SHARES carries bits 13..28 only). */
  readonly versionMask: number;
  /** Initial share difficulty for the agent (each JOB carries the current one). */
  readonly difficulty: number;
}

/** Gateway → agent: one job for the whole farm. */
export interface JobMessage {
  readonly type: 'job';
  readonly jobId: number;
  readonly cleanJobs: boolean;
  /** 32 bytes in Stratum word order (what mining.notify sends as hex). */
  readonly prevhash: Uint8Array;
  readonly version: number;
  readonly nbits: number;
  readonly ntime: number;
  /** Shares below this difficulty are not sent upstream. */
  readonly shareDifficulty: number;
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly merkleBranch: readonly Uint8Array[];
}

/** One share as it travels: 16 + extranonce2Size bytes. */
export interface WireShare {
  /** The agent's store sequence number (absolute; the body holds base + u16 delta). */
  readonly seq: number;
  readonly jobId: number;
  /** Worker index announced by an EVENT earlier on the same session. */
  readonly worker: number;
  readonly extranonce2: Uint8Array;
  /** ntime minus the job's ntime, 0..65535 s. */
  readonly ntimeDelta: number;
  readonly nonce: number;
  /** Bits 13..28 of the rolled header version (version >>> 13 & 0xffff). */
  readonly versionBits: number;
}

/** Agent → gateway: a batch of share records. */
export interface SharesMessage {
  readonly type: 'shares';
  readonly extranonce2Size: number;
  readonly records: readonly WireShare[];
}

export interface RejectedRecord {
  /** Index of the record in the SHARES body. */
  readonly index: number;
  readonly code: ShareRejectCode;
}

/** Gateway → agent: every record of one SHARES frame is decided; the rejected ones are listed. */
export interface AckMessage {
  readonly type: 'ack';
  /** Frame sequence number of the SHARES frame acknowledged. */
  readonly sharesFrameSeq: number;
  readonly count: number;
  readonly rejected: readonly RejectedRecord[];
}

/** Agent → gateway: a found block, sent at once ahead of queued shares. */
export interface BlockMessage {
  readonly type: 'block';
  readonly seq: number;
  readonly jobId: number;
  readonly worker: number;
  /** The 80-byte header. */
  readonly header: Uint8Array;
  /** The stripped coinbase transaction. */
  readonly coinbase: Uint8Array;
}

export type WorkerEventKind = 'authorize' | 'connect' | 'disconnect';

/** Agent → gateway: worker index ↔ name, and miner connect/disconnect. */
export interface EventMessage {
  readonly type: 'event';
  readonly kind: WorkerEventKind;
  readonly worker: number;
  /** "account.worker", at most 255 bytes. */
  readonly name: string;
  /** The miner's address "ip:port", at most 64 bytes; may be empty. */
  readonly peer: string;
  /** Unix seconds. */
  readonly at: number;
}

/** Agent → gateway, periodic. */
export interface StatusMessage {
  readonly type: 'status';
  readonly at: number;
  readonly miners: number;
  /** Hashes per second. */
  readonly hashrate: number;
  /** Shares held in the agent's store, not yet acknowledged. */
  readonly bufferDepth: number;
}

export interface PingMessage {
  readonly type: 'ping';
  /** Opaque u64 echoed by PONG (the agent sends its clock in ms). */
  readonly stamp: number;
}

export interface PongMessage {
  readonly type: 'pong';
  readonly stamp: number;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly code: number;
  readonly message: string;
}

export type UplinkMessage =
  | HelloMessage
  | ChallengeMessage
  | AuthMessage
  | WelcomeMessage
  | JobMessage
  | SharesMessage
  | AckMessage
  | BlockMessage
  | EventMessage
  | StatusMessage
  | PingMessage
  | PongMessage
  | ErrorMessage;

/** ERROR codes. The sender closes the connection after an ERROR. */
export const UplinkErrorCode = {
  BadHello: 1,
  UnsupportedVersion: 2,
  AuthFailed: 3,
  ProtocolViolation: 4,
  Overloaded: 5,
  ShuttingDown: 6,
} as const;

/** Per-record reject codes in ACK. 0 is never sent (accepted records are not listed). */
export const ShareRejectCode = {
  JobNotFound: 1,
  Stale: 2,
  Duplicate: 3,
  LowDifficulty: 4,
  NtimeOutOfRange: 5,
  BadVersion: 6,
  BadExtranonce2: 7,
  BadNonce: 8,
  BadNtime: 9,
  UnknownWorker: 10,
} as const;
export type ShareRejectCode = (typeof ShareRejectCode)[keyof typeof ShareRejectCode];

export type UplinkRejectReason = RejectReason | 'unknown-worker';

const REASONS: Record<ShareRejectCode, UplinkRejectReason> = {
  1: 'job-not-found',
  2: 'stale',
  3: 'duplicate',
  4: 'low-difficulty',
  5: 'ntime-out-of-range',
  6: 'bad-version',
  7: 'bad-extranonce2',
  8: 'bad-nonce',
  9: 'bad-ntime',
  10: 'unknown-worker',
};

export function rejectReasonOf(code: ShareRejectCode): UplinkRejectReason {
  return REASONS[code];
}

export function rejectCodeOf(reason: UplinkRejectReason): ShareRejectCode {
  for (const [code, r] of Object.entries(REASONS)) if (r === reason) return Number(code) as ShareRejectCode;
  throw new RangeError(`no uplink code for reject reason ${reason}`);
}

export function isShareRejectCode(n: number): n is ShareRejectCode {
  return Number.isInteger(n) && n >= 1 && n <= 10;
}

export const SHARES_HEADER_BYTES = 11;
export const SHARE_RECORD_FIXED_BYTES = 16;
export const UPLINK_MAX_EXTRANONCE2_SIZE = 16;
export const UPLINK_MAX_EXTRANONCE_PREFIX = 16;
export const UPLINK_MAX_RECORDS_PER_BATCH = 4096;
