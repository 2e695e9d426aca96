// The jobmaster ⇄ gateway link (docs/pool-wire.md): uplink frames (core/uplink) carrying JSON bodies.
// One type per message; every body is parsed and checked once, here, before anything acts on it.
import { fail, ok, type Result } from '@farmhand/core';
import type { Frame } from '@farmhand/core/uplink';
import { encodeFrame } from '@farmhand/core/uplink';
import { isHex, type StratumJob } from '@farmhand/core/stratum';

export const JmType = {
  HELLO: 0x40,
  JOB: 0x41,
  FOUND_BLOCK: 0x42,
  BLOCK_RESULT: 0x43,
  NEW_BLOCK: 0x44,
  NEW_TIP: 0x45,
  ERROR: 0x46,
  PING: 0x47,
  PONG: 0x48,
  BLOCKS: 0x49,
} as const;
export type JmTypeName = keyof typeof JmType;

/** gateway → jobmaster, first frame (optional): who is connecting, for the logs. */
export interface HelloMessage {
  type: 'HELLO';
  name: string;
}

/** jobmaster → gateway: a job to fan out. job.jobId is the jobmaster's job id. */
export interface JobMessage {
  type: 'JOB';
  job: StratumJob;
  height: number;
  /** Previous block hash, display hex (job.prevhash is the Stratum word order). */
  prevhash: string;
  /** Network target, 64 hex digits big-endian. */
  target: string;
  /** extranonce1 + extranonce2 bytes the coinbase slot holds; the gateway splits it. */
  extranonceSize: number;
  coinbasevalue: number;
  /** An empty-block job mined on a tip the node has not validated yet. */
  empty: boolean;
  /** ms since the epoch. */
  createdAt: number;
  /** Merged mining: the easiest aux chain target (64 hex, big-endian); a share meeting it is worth a FOUND_BLOCK. */
  auxTarget?: string;
}

/** gateway → jobmaster: a share met the network target. The jobmaster rebuilds the block itself. */
export interface FoundBlockMessage {
  type: 'FOUND_BLOCK';
  jobId: string;
  /** extranonce1 ‖ extranonce2, hex, extranonceSize bytes. */
  extranonce: string;
  /** 8 hex digits each, as in mining.submit; version is the final (rolled) header version. */
  ntime: string;
  nonce: string;
  version: string;
  /** Block hash the gateway computed (display hex), checked against the rebuilt block. */
  hash?: string;
  user?: string;
  worker?: string;
}

export interface NodeAnswer {
  node: string;
  /** submitblock's result: null = accepted, or the node's reason ("high-hash", "duplicate", ...). */
  result: string | null;
  /** Set instead of result when the call failed (unreachable, timeout, RPC error). */
  error?: string;
}

/** jobmaster → the gateway that sent FOUND_BLOCK (frame seq = the FOUND_BLOCK's seq). */
export interface BlockResultMessage {
  type: 'BLOCK_RESULT';
  jobId: string;
  hash: string;
  height: number;
  accepted: boolean;
  answers: NodeAnswer[];
}

/**
 * jobmaster → every gateway: a block of ours was accepted by at least one node. With `chain`, an aux
 * chain accepted a block (`hash` is the aux block's): sent only to the gateway whose FOUND_BLOCK won it
 * (frame seq = that FOUND_BLOCK's seq), which records it in the stats under the chain's name.
 */
export interface NewBlockMessage {
  type: 'NEW_BLOCK';
  /** Merged mining: the aux chain's name (absent for the parent chain). */
  chain?: string;
  height: number;
  hash: string;
  jobId: string;
  user?: string;
  worker?: string;
  /** ms since the epoch. */
  at: number;
}

/** bitpeer/poolbench → jobmaster: a new tip seen on the network before our node has it. */
export interface NewTipMessage {
  type: 'NEW_TIP';
  /** Height of the new tip (the empty job mines height + 1). */
  height: number;
  /** Hash of the new tip, display hex. */
  prevhash: string;
  /** nBits of the next block, 8 hex digits; default the current job's. */
  bits?: string;
  curtime: number;
}

export type JmErrorCode = 'UNKNOWN_JOB' | 'BAD_MESSAGE' | 'NOT_A_BLOCK';

/** jobmaster → gateway: a refused request (frame seq = the request's seq). */
export interface ErrorMessage {
  type: 'ERROR';
  code: JmErrorCode;
  message: string;
  jobId?: string;
}

/** blockmaster → jobmaster: send me every found block, raw (docs/blockmaster.md), before the nodes answer. */
export interface BlocksMessage {
  type: 'BLOCKS';
}

export interface PingMessage {
  type: 'PING';
}
export interface PongMessage {
  type: 'PONG';
}

export type JmMessage =
  | HelloMessage
  | JobMessage
  | FoundBlockMessage
  | BlockResultMessage
  | NewBlockMessage
  | NewTipMessage
  | ErrorMessage
  | PingMessage
  | PongMessage
  | BlocksMessage;

/** Encodes a message as one frame. The type goes in the frame header, not in the JSON body. */
export function encodeJmMessage(msg: JmMessage, seq: number): Uint8Array {
  const { type, ...body } = msg;
  const json = type === 'PING' || type === 'PONG' || type === 'BLOCKS' ? '' : JSON.stringify(body);
  return encodeFrame({ type: JmType[type], seq, body: new TextEncoder().encode(json) });
}

const NAMES = new Map<number, JmTypeName>(Object.entries(JmType).map(([k, v]) => [v, k as JmTypeName]));
const HEX8 = /^[0-9a-f]{8}$/i;

/** Parses a frame into a message; BAD_MESSAGE names the field that is wrong. */
export function decodeJmMessage(frame: Frame): Result<JmMessage, 'BAD_MESSAGE'> {
  const name = NAMES.get(frame.type);
  if (!name) return fail('BAD_MESSAGE', `frame type 0x${frame.type.toString(16)} is not a jobmaster message`);
  if (name === 'PING' || name === 'PONG' || name === 'BLOCKS') return ok({ type: name });
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(frame.body));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    o = v as Record<string, unknown>;
  } catch {
    return fail('BAD_MESSAGE', `${name}: the body is not a JSON object`);
  }
  const bad = (field: string, want: string) => fail('BAD_MESSAGE', `${name}.${field}: expected ${want}`);
  const str = (k: string) => typeof o[k] === 'string';
  const optStr = (k: string) => o[k] === undefined || typeof o[k] === 'string';
  const uint = (k: string) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0;
  switch (name) {
    case 'HELLO':
      if (!str('name')) return bad('name', 'a string');
      return ok({ type: name, name: o.name as string });
    case 'FOUND_BLOCK':
      if (!str('jobId') || !/^[0-9a-f]{1,16}$/i.test(o.jobId as string)) return bad('jobId', 'a hex job id');
      if (!isHex(o.extranonce) || (o.extranonce as string).length === 0)
        return bad('extranonce', 'hex bytes');
      for (const k of ['ntime', 'nonce', 'version'])
        if (!str(k) || !HEX8.test(o[k] as string)) return bad(k, '8 hex digits');
      if (o.hash !== undefined && !isHex(o.hash, 32)) return bad('hash', '64 hex digits');
      if (!optStr('user')) return bad('user', 'a string');
      if (!optStr('worker')) return bad('worker', 'a string');
      return ok({
        type: name,
        jobId: (o.jobId as string).toLowerCase(),
        extranonce: (o.extranonce as string).toLowerCase(),
        ntime: o.ntime as string,
        nonce: o.nonce as string,
        version: o.version as string,
        ...(o.hash !== undefined ? { hash: (o.hash as string).toLowerCase() } : {}),
        ...(o.user !== undefined ? { user: o.user as string } : {}),
        ...(o.worker !== undefined ? { worker: o.worker as string } : {}),
      });
    case 'NEW_TIP':
      if (!uint('height')) return bad('height', 'a block height');
      if (!isHex(o.prevhash, 32)) return bad('prevhash', '64 hex digits');
      if (o.bits !== undefined && !(str('bits') && HEX8.test(o.bits as string)))
        return bad('bits', '8 hex digits');
      if (!uint('curtime')) return bad('curtime', 'a unix time');
      return ok({
        type: name,
        height: o.height as number,
        prevhash: o.prevhash as string,
        curtime: o.curtime as number,
        ...(o.bits !== undefined ? { bits: o.bits as string } : {}),
      });
    case 'JOB':
      if (typeof o.job !== 'object' || o.job === null) return bad('job', 'a Stratum job');
      if (!uint('height') || !uint('extranonceSize') || !uint('coinbasevalue'))
        return bad('height', 'integers');
      if (!isHex(o.prevhash, 32) || !isHex(o.target, 32)) return bad('prevhash/target', '64 hex digits');
      if (o.auxTarget !== undefined && !isHex(o.auxTarget, 32)) return bad('auxTarget', '64 hex digits');
      return ok({ ...(o as Omit<JobMessage, 'type'>), type: name });
    case 'BLOCK_RESULT':
      if (
        !str('jobId') ||
        !str('hash') ||
        !uint('height') ||
        typeof o.accepted !== 'boolean' ||
        !Array.isArray(o.answers)
      )
        return bad('body', 'jobId, hash, height, accepted, answers');
      return ok({ ...(o as Omit<BlockResultMessage, 'type'>), type: name });
    case 'NEW_BLOCK':
      if (!str('jobId') || !str('hash') || !uint('height') || !uint('at'))
        return bad('body', 'jobId, hash, height, at');
      if (!optStr('chain') || !optStr('user') || !optStr('worker')) return bad('chain', 'a string');
      return ok({ ...(o as Omit<NewBlockMessage, 'type'>), type: name });
    case 'ERROR':
      if (!str('code') || !str('message')) return bad('body', 'code and message');
      return ok({ ...(o as Omit<ErrorMessage, 'type'>), type: name });
  }
}
