import { STRATUM_ERROR_MESSAGES, type StratumErrorCode } from './error-codes.js';
import { hex32 } from './hex.js';
import type { StratumJob } from './job.js';
import type { RequestId } from './message.js';
import type { MiningSubmit } from './client-methods.js';

// Outgoing lines: compact JSON plus '\n'. Inputs are our own values; they are not re-validated here.

function line(obj: unknown): string {
  return `${JSON.stringify(obj)}\n`;
}

export function encodeRequest(id: RequestId, method: string, params: readonly unknown[]): string {
  return line({ id, method, params });
}

export function encodeNotification(method: string, params: readonly unknown[]): string {
  return line({ id: null, method, params });
}

export function encodeResult(id: RequestId | null, result: unknown): string {
  return line({ id, result, error: null });
}

/** Error reply in the Stratum shape [code, message, null]; message defaults to the standard text. */
export function encodeError(id: RequestId | null, code: number, message?: string): string {
  const text = message ?? STRATUM_ERROR_MESSAGES[code as StratumErrorCode] ?? 'Other/Unknown';
  return line({ id, result: null, error: [code, text, null] });
}

export interface SubscribeReply {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** Subscription ids for set_difficulty and notify; both default to extranonce1 (they are opaque). */
  readonly subscriptionId?: string;
}

export function encodeSubscribeResult(id: RequestId | null, reply: SubscribeReply): string {
  const sub = reply.subscriptionId ?? reply.extranonce1;
  return encodeResult(id, [
    [
      ['mining.set_difficulty', sub],
      ['mining.notify', sub],
    ],
    reply.extranonce1,
    reply.extranonce2Size,
  ]);
}

export interface ConfigureReply {
  /** Granted mask, or null to refuse version rolling; omit if the miner did not ask. */
  readonly versionRollingMask?: number | null;
  readonly minimumDifficulty?: boolean;
  readonly subscribeExtranonce?: boolean;
}

export function encodeConfigureResult(id: RequestId | null, reply: ConfigureReply): string {
  const result: Record<string, unknown> = {};
  if (reply.versionRollingMask !== undefined) {
    result['version-rolling'] = reply.versionRollingMask !== null;
    if (reply.versionRollingMask !== null) result['version-rolling.mask'] = hex32(reply.versionRollingMask);
  }
  if (reply.minimumDifficulty !== undefined) result['minimum-difficulty'] = reply.minimumDifficulty;
  if (reply.subscribeExtranonce !== undefined) result['subscribe-extranonce'] = reply.subscribeExtranonce;
  return encodeResult(id, result);
}

export function encodeNotify(job: StratumJob): string {
  return encodeNotification('mining.notify', [
    job.jobId,
    job.prevhash,
    job.coinb1,
    job.coinb2,
    job.merkleBranch,
    job.version,
    job.nbits,
    job.ntime,
    job.cleanJobs,
  ]);
}

export function encodeSetDifficulty(difficulty: number): string {
  if (!Number.isFinite(difficulty) || difficulty <= 0) throw new RangeError(`bad difficulty ${difficulty}`);
  return encodeNotification('mining.set_difficulty', [difficulty]);
}

export function encodeSetVersionMask(mask: number): string {
  return encodeNotification('mining.set_version_mask', [hex32(mask)]);
}

export function encodeSetExtranonce(extranonce1: string, extranonce2Size: number): string {
  return encodeNotification('mining.set_extranonce', [extranonce1, extranonce2Size]);
}

// Client side (the agent speaking to a plain Stratum V1 pool upstream).

export function encodeSubscribe(id: RequestId, userAgent?: string, sessionId?: string): string {
  const params: string[] = [];
  if (userAgent !== undefined) params.push(userAgent);
  if (sessionId !== undefined) params.push(sessionId);
  return encodeRequest(id, 'mining.subscribe', params);
}

export function encodeAuthorize(id: RequestId, user: string, password = 'x'): string {
  return encodeRequest(id, 'mining.authorize', [user, password]);
}

export interface ConfigureRequest {
  readonly versionRolling?: { readonly mask: number; readonly minBitCount?: number };
  readonly minimumDifficulty?: number;
  readonly subscribeExtranonce?: boolean;
}

export function encodeConfigure(id: RequestId, req: ConfigureRequest): string {
  const extensions: string[] = [];
  const params: Record<string, unknown> = {};
  if (req.versionRolling) {
    extensions.push('version-rolling');
    params['version-rolling.mask'] = hex32(req.versionRolling.mask);
    params['version-rolling.min-bit-count'] = req.versionRolling.minBitCount ?? 0;
  }
  if (req.minimumDifficulty !== undefined) {
    extensions.push('minimum-difficulty');
    params['minimum-difficulty.value'] = req.minimumDifficulty;
  }
  if (req.subscribeExtranonce) extensions.push('subscribe-extranonce');
  return encodeRequest(id, 'mining.configure', [extensions, params]);
}

export type SubmitFields = Omit<MiningSubmit, 'kind' | 'id'>;

export function encodeSubmit(id: RequestId, s: SubmitFields): string {
  const params = [s.worker, s.jobId, s.extranonce2, s.ntime, s.nonce];
  if (s.versionBits !== undefined) params.push(s.versionBits);
  return encodeRequest(id, 'mining.submit', params);
}

export function encodeSuggestDifficulty(id: RequestId, difficulty: number): string {
  return encodeRequest(id, 'mining.suggest_difficulty', [difficulty]);
}

export function encodeExtranonceSubscribe(id: RequestId): string {
  return encodeRequest(id, 'mining.extranonce.subscribe', []);
}
