import { fail, ok, type Result } from '../result.js';
import type { ParamsErrorCode } from './client-methods.js';
import { isHex, parseHex32 } from './hex.js';
import type { StratumJob } from './job.js';
import type { RequestId, StratumNotification, StratumRequest } from './message.js';

// Typed server → client messages, and the results of client requests, as a Stratum client sees them.

interface Base {
  readonly id: RequestId | null;
}

export interface MiningSetDifficulty extends Base {
  readonly kind: 'mining.set_difficulty';
  readonly difficulty: number;
}

export interface MiningNotify extends Base {
  readonly kind: 'mining.notify';
  readonly job: StratumJob;
}

export interface MiningSetVersionMask extends Base {
  readonly kind: 'mining.set_version_mask';
  readonly mask: number;
}

export interface MiningSetExtranonce extends Base {
  readonly kind: 'mining.set_extranonce';
  readonly extranonce1: string;
  readonly extranonce2Size: number;
}

export interface UnknownServerMessage extends Base {
  readonly kind: 'unknown';
  readonly method: string;
  readonly params: readonly unknown[];
}

export type ServerMessage =
  MiningSetDifficulty | MiningNotify | MiningSetVersionMask | MiningSetExtranonce | UnknownServerMessage;

export const MAX_EXTRANONCE2_SIZE = 32;
const MAX_BRANCH = 64;

function bad(method: string, why: string): Result<never, ParamsErrorCode> {
  return fail('BAD_PARAMS', `${method}: ${why}`);
}

/** Types a request or notification received by a Stratum client (from a pool or a gateway). */
export function toServerMessage(
  msg: StratumRequest | StratumNotification,
): Result<ServerMessage, ParamsErrorCode> {
  const { id, method, params: p } = msg;
  switch (method) {
    case 'mining.set_difficulty': {
      const [d] = p;
      if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
        return bad(method, 'difficulty must be a positive number');
      }
      return ok({ kind: method, id, difficulty: d });
    }
    case 'mining.notify': {
      const job = parseNotifyParams(p);
      return job.ok ? ok({ kind: method, id, job: job.value }) : job;
    }
    case 'mining.set_version_mask': {
      const [m] = p;
      const mask = isHex(m, 4) ? parseHex32(m) : undefined;
      if (mask === undefined) return bad(method, 'mask must be 8 hex digits');
      return ok({ kind: method, id, mask });
    }
    case 'mining.set_extranonce': {
      const [en1, size] = p;
      const en2 = parseExtranonceSize(size);
      if (!isHex(en1) || en1.length > 64) return bad(method, 'extranonce1 must be hex');
      if (en2 === undefined)
        return bad(method, `extranonce2 size must be an integer 1..${MAX_EXTRANONCE2_SIZE}`);
      return ok({ kind: method, id, extranonce1: en1.toLowerCase(), extranonce2Size: en2 });
    }
    default:
      return ok({ kind: 'unknown', id, method, params: p });
  }
}

function parseExtranonceSize(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_EXTRANONCE2_SIZE ? v : undefined;
}

/**
 * mining.notify params: [jobId, prevhash, coinb1, coinb2, branch[], version, nbits, ntime, cleanJobs].
 * Some pools insert an extra field before cleanJobs; as firmware does, cleanJobs is the last element.
 */
export function parseNotifyParams(p: readonly unknown[]): Result<StratumJob, ParamsErrorCode> {
  const method = 'mining.notify';
  if (p.length < 9) return bad(method, `expected 9 params, got ${p.length}`);
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime] = p;
  const clean = p[p.length - 1];
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 128) {
    return bad(method, 'job id must be a non-empty string');
  }
  if (!isHex(prevhash, 32)) return bad(method, 'prevhash must be 64 hex digits');
  if (!isHex(coinb1) || !isHex(coinb2)) return bad(method, 'coinb1 and coinb2 must be hex');
  if (!Array.isArray(branch) || branch.length > MAX_BRANCH || !branch.every((h) => isHex(h, 32))) {
    return bad(method, 'merkle branch must be an array of 64-digit hex hashes');
  }
  if (!isHex(version, 4) || !isHex(nbits, 4) || !isHex(ntime, 4)) {
    return bad(method, 'version, nbits and ntime must be 8 hex digits each');
  }
  if (typeof clean !== 'boolean') return bad(method, 'clean_jobs must be a boolean');
  return ok({
    jobId,
    prevhash: prevhash.toLowerCase(),
    coinb1: coinb1.toLowerCase(),
    coinb2: coinb2.toLowerCase(),
    merkleBranch: (branch as string[]).map((h) => h.toLowerCase()),
    version: version.toLowerCase(),
    nbits: nbits.toLowerCase(),
    ntime: ntime.toLowerCase(),
    cleanJobs: clean,
  });
}

export type ResultErrorCode = 'BAD_RESULT';

export interface SubscribeResult {
  /** [method, subscription id] pairs; often ignored by miners. */
  readonly subscriptions: readonly (readonly [string, string])[];
  readonly extranonce1: string;
  readonly extranonce2Size: number;
}

/** The result of mining.subscribe: [[[method, id], ...], extranonce1, extranonce2Size]. */
export function parseSubscribeResult(result: unknown): Result<SubscribeResult, ResultErrorCode> {
  if (!Array.isArray(result) || result.length < 3) {
    return fail('BAD_RESULT', 'subscribe result must be [subscriptions, extranonce1, extranonce2_size]');
  }
  const [subs, en1, size] = result as unknown[];
  const en2 = parseExtranonceSize(size);
  if (!isHex(en1) || en1.length > 64) return fail('BAD_RESULT', 'subscribe result: extranonce1 must be hex');
  if (en2 === undefined)
    return fail('BAD_RESULT', 'subscribe result: extranonce2 size must be an integer 1..32');
  const subscriptions: [string, string][] = [];
  // Some pools send a single pair instead of a list of pairs.
  const list = Array.isArray(subs) && typeof subs[0] === 'string' ? [subs] : subs;
  if (Array.isArray(list)) {
    for (const s of list) {
      if (Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'string')
        subscriptions.push([s[0], s[1]]);
    }
  }
  return ok({ subscriptions, extranonce1: en1.toLowerCase(), extranonce2Size: en2 });
}

export interface ConfigureResult {
  /** Set when the server answered the version-rolling extension. mask is 0 when refused. */
  readonly versionRolling?: { readonly accepted: boolean; readonly mask: number };
  readonly minimumDifficulty?: boolean;
  readonly subscribeExtranonce?: boolean;
}

/** The result object of mining.configure (BIP310). */
export function parseConfigureResult(result: unknown): Result<ConfigureResult, ResultErrorCode> {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return fail('BAD_RESULT', 'configure result must be an object');
  }
  const r = result as Record<string, unknown>;
  let versionRolling: ConfigureResult['versionRolling'];
  if ('version-rolling' in r) {
    const accepted = r['version-rolling'] === true;
    const mask = accepted ? parseHex32(r['version-rolling.mask']) : 0;
    if (mask === undefined) return fail('BAD_RESULT', 'configure result: version-rolling.mask must be hex');
    versionRolling = { accepted, mask };
  }
  return ok({
    ...(versionRolling ? { versionRolling } : {}),
    ...('minimum-difficulty' in r ? { minimumDifficulty: r['minimum-difficulty'] === true } : {}),
    ...('subscribe-extranonce' in r ? { subscribeExtranonce: r['subscribe-extranonce'] === true } : {}),
  });
}
