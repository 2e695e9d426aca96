import { fail, ok, type Result } from '../result.js';
import { isHex, parseHex32 } from './hex.js';
import type { RequestId, StratumNotification, StratumRequest } from './message.js';

// Typed client → server requests. One type per message; params are validated here, once.

interface Base {
  readonly id: RequestId | null;
}

export interface MiningSubscribe extends Base {
  readonly kind: 'mining.subscribe';
  readonly userAgent?: string;
  readonly sessionId?: string;
}

export interface MiningAuthorize extends Base {
  readonly kind: 'mining.authorize';
  readonly user: string;
  readonly password?: string;
}

/** BIP310 mining.configure, with the extensions we understand pulled out. */
export interface MiningConfigure extends Base {
  readonly kind: 'mining.configure';
  readonly extensions: readonly string[];
  /** Present when "version-rolling" is requested. mask defaults to ffffffff when absent. */
  readonly versionRolling?: { readonly mask: number; readonly minBitCount: number };
  /** Present when "minimum-difficulty" is requested. */
  readonly minimumDifficulty?: number;
  readonly subscribeExtranonce: boolean;
  /** The extension parameters as sent, for extensions we do not interpret. */
  readonly extensionParams: Readonly<Record<string, unknown>>;
}

export interface MiningSubmit extends Base {
  readonly kind: 'mining.submit';
  readonly worker: string;
  readonly jobId: string;
  /** Lowercase hex; its length is checked against the session's extranonce2 size by the session. */
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** BIP310 version bits (8 hex), when the miner rolls the version. */
  readonly versionBits?: string;
}

export interface MiningSuggestDifficulty extends Base {
  readonly kind: 'mining.suggest_difficulty';
  readonly difficulty: number;
}

export interface MiningExtranonceSubscribe extends Base {
  readonly kind: 'mining.extranonce.subscribe';
}

export interface MiningGetTransactions extends Base {
  readonly kind: 'mining.get_transactions';
  readonly jobId: string;
}

/** Any other method: kept so the server can answer with a JSON-RPC error instead of hanging up. */
export interface UnknownRequest extends Base {
  readonly kind: 'unknown';
  readonly method: string;
  readonly params: readonly unknown[];
}

export type ClientRequest =
  | MiningSubscribe
  | MiningAuthorize
  | MiningConfigure
  | MiningSubmit
  | MiningSuggestDifficulty
  | MiningExtranonceSubscribe
  | MiningGetTransactions
  | UnknownRequest;

export type ParamsErrorCode = 'BAD_PARAMS';

const MAX_STRING = 256;

function bad(method: string, why: string): Result<never, ParamsErrorCode> {
  return fail('BAD_PARAMS', `${method}: ${why}`);
}

function shortString(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_STRING;
}

function hex8(v: unknown): v is string {
  return isHex(v, 4);
}

/** Types the params of a request or notification received by a Stratum server. */
export function toClientRequest(
  msg: StratumRequest | StratumNotification,
): Result<ClientRequest, ParamsErrorCode> {
  const { id, method, params: p } = msg;
  switch (method) {
    case 'mining.subscribe': {
      const [ua, session] = p;
      if (ua !== undefined && ua !== null && !shortString(ua))
        return bad(method, 'user agent must be a string');
      if (session !== undefined && session !== null && !shortString(session)) {
        return bad(method, 'session id must be a string');
      }
      return ok({
        kind: method,
        id,
        ...(typeof ua === 'string' ? { userAgent: ua } : {}),
        ...(typeof session === 'string' ? { sessionId: session } : {}),
      });
    }
    case 'mining.authorize': {
      const [user, password] = p;
      if (!shortString(user)) return bad(method, 'user must be a string');
      if (password !== undefined && password !== null && !shortString(password)) {
        return bad(method, 'password must be a string');
      }
      return ok({ kind: method, id, user, ...(typeof password === 'string' ? { password } : {}) });
    }
    case 'mining.configure':
      return configure(id, p);
    case 'mining.submit': {
      const [worker, jobId, en2, ntime, nonce, versionBits] = p;
      if (!shortString(worker)) return bad(method, 'worker must be a string');
      if (!shortString(jobId) || jobId.length === 0) return bad(method, 'job id must be a non-empty string');
      if (!isHex(en2) || en2.length === 0 || en2.length > 64) return bad(method, 'extranonce2 must be hex');
      if (!hex8(ntime)) return bad(method, 'ntime must be 8 hex digits');
      if (!hex8(nonce)) return bad(method, 'nonce must be 8 hex digits');
      if (versionBits !== undefined && versionBits !== null && !hex8(versionBits)) {
        return bad(method, 'version bits must be 8 hex digits');
      }
      return ok({
        kind: method,
        id,
        worker,
        jobId,
        extranonce2: en2.toLowerCase(),
        ntime: ntime.toLowerCase(),
        nonce: nonce.toLowerCase(),
        ...(typeof versionBits === 'string' ? { versionBits: versionBits.toLowerCase() } : {}),
      });
    }
    case 'mining.suggest_difficulty': {
      const [d] = p;
      if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
        return bad(method, 'difficulty must be a positive number');
      }
      return ok({ kind: method, id, difficulty: d });
    }
    case 'mining.extranonce.subscribe':
      return ok({ kind: method, id });
    case 'mining.get_transactions': {
      const [jobId] = p;
      if (!shortString(jobId)) return bad(method, 'job id must be a string');
      return ok({ kind: method, id, jobId });
    }
    default:
      return ok({ kind: 'unknown', id, method, params: p });
  }
}

function configure(id: RequestId | null, p: readonly unknown[]): Result<MiningConfigure, ParamsErrorCode> {
  const method = 'mining.configure';
  const [exts, rawParams] = p;
  if (!Array.isArray(exts) || exts.length > 16 || !exts.every(shortString)) {
    return bad(method, 'first param must be an array of extension names');
  }
  if (
    rawParams !== undefined &&
    (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams))
  ) {
    return bad(method, 'second param must be an object');
  }
  const params = (rawParams ?? {}) as Record<string, unknown>;
  const extensions = exts as string[];
  let versionRolling: MiningConfigure['versionRolling'];
  if (extensions.includes('version-rolling')) {
    const rawMask = params['version-rolling.mask'];
    const mask = rawMask === undefined ? 0xffffffff : parseHex32(rawMask);
    if (mask === undefined) return bad(method, 'version-rolling.mask must be up to 8 hex digits');
    const rawBits = params['version-rolling.min-bit-count'] ?? 0;
    if (typeof rawBits !== 'number' || !Number.isInteger(rawBits) || rawBits < 0 || rawBits > 32) {
      return bad(method, 'version-rolling.min-bit-count must be an integer 0..32');
    }
    versionRolling = { mask, minBitCount: rawBits };
  }
  let minimumDifficulty: number | undefined;
  if (extensions.includes('minimum-difficulty')) {
    const v = params['minimum-difficulty.value'];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      return bad(method, 'minimum-difficulty.value must be a non-negative number');
    }
    minimumDifficulty = v;
  }
  return ok({
    kind: method,
    id,
    extensions,
    ...(versionRolling ? { versionRolling } : {}),
    ...(minimumDifficulty !== undefined ? { minimumDifficulty } : {}),
    subscribeExtranonce: extensions.includes('subscribe-extranonce'),
    extensionParams: params,
  });
}
