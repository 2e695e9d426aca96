import { fail, ok, type Result } from '../result.js';

// The JSON-RPC envelope of Stratum V1: one JSON object per line, classified as a request (has a
// method and an id), a notification (has a method, id null or absent) or a response (result/error).
// Per-method params are typed in client-methods.ts and server-methods.ts.

export type RequestId = number | string;

export interface StratumRequest {
  readonly kind: 'request';
  readonly id: RequestId;
  readonly method: string;
  readonly params: readonly unknown[];
}

export interface StratumNotification {
  readonly kind: 'notification';
  readonly id: null;
  readonly method: string;
  readonly params: readonly unknown[];
}

/** An error as pools send it, whatever the wire shape ([code,msg,data], {code,message}, or a string). */
export interface StratumErrorInfo {
  readonly code: number | null;
  readonly message: string;
  readonly data?: unknown;
}

export interface StratumResponse {
  readonly kind: 'response';
  readonly id: RequestId | null;
  readonly result: unknown;
  readonly error: StratumErrorInfo | null;
  /** ckpool-style `"reject-reason"` beside `result:false`. */
  readonly rejectReason?: string;
}

export type StratumMessage = StratumRequest | StratumNotification | StratumResponse;

export type MessageErrorCode =
  'BAD_JSON' | 'NOT_OBJECT' | 'BAD_ID' | 'BAD_METHOD' | 'BAD_PARAMS' | 'NOT_A_MESSAGE';

const MAX_METHOD_LENGTH = 128;

export function parseMessage(line: string): Result<StratumMessage, MessageErrorCode> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    // A RangeError (absurd nesting) lands here too.
    return fail('BAD_JSON', `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('NOT_OBJECT', 'a Stratum message must be a JSON object');
  }
  const obj = value as Record<string, unknown>;
  const rawId = obj.id;
  let id: RequestId | null;
  if (rawId === undefined || rawId === null) id = null;
  else if (typeof rawId === 'string') id = rawId;
  else if (typeof rawId === 'number' && Number.isFinite(rawId)) id = rawId;
  else return fail('BAD_ID', `id must be a number, a string or null, got ${typeof rawId}`);

  if ('method' in obj) {
    const method = obj.method;
    if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH) {
      return fail('BAD_METHOD', 'method must be a non-empty string of at most 128 characters');
    }
    const params = obj.params ?? [];
    if (!Array.isArray(params)) return fail('BAD_PARAMS', `params of ${method} must be an array`);
    return id === null
      ? ok({ kind: 'notification', id: null, method, params })
      : ok({ kind: 'request', id, method, params });
  }
  if ('result' in obj || 'error' in obj) {
    const response: StratumResponse = {
      kind: 'response',
      id,
      result: obj.result ?? null,
      error: normalizeError(obj.error),
      ...(typeof obj['reject-reason'] === 'string' ? { rejectReason: obj['reject-reason'] } : {}),
    };
    return ok(response);
  }
  return fail('NOT_A_MESSAGE', 'object has neither a method nor a result/error');
}

function normalizeError(e: unknown): StratumErrorInfo | null {
  if (e === undefined || e === null || e === false) return null;
  if (typeof e === 'string') return { code: null, message: e };
  if (Array.isArray(e)) {
    const [code, message, data] = e as unknown[];
    return {
      code: toCode(code),
      message: typeof message === 'string' ? message : JSON.stringify(message ?? null),
      ...(data === undefined ? {} : { data }),
    };
  }
  if (typeof e === 'object') {
    const o = e as Record<string, unknown>;
    return {
      code: toCode(o.code),
      message: typeof o.message === 'string' ? o.message : JSON.stringify(e),
      ...(o.data === undefined ? {} : { data: o.data }),
    };
  }
  return { code: toCode(e), message: String(e) };
}

function toCode(c: unknown): number | null {
  if (typeof c === 'number' && Number.isInteger(c)) return c;
  if (typeof c === 'string' && /^-?\d{1,9}$/.test(c)) return Number(c);
  return null;
}

/** True when a response means "accepted": result true and no error. */
export function isAccepted(response: StratumResponse): boolean {
  return response.error === null && response.result === true;
}
