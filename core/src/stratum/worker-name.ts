import { fail, ok, type Result } from '../result.js';

// `account.worker` user names. Split at the first '.'; the account is usually a payout address or a
// pool account name, the worker names one machine. Case is kept: base58 addresses are case-sensitive
// (viabtc lowercases everything, which would break them).

export const MAX_ACCOUNT_LENGTH = 64;
export const MAX_WORKER_LENGTH = 64;
export const DEFAULT_WORKER = 'default';

export type WorkerNameErrorCode = 'EMPTY_ACCOUNT' | 'ACCOUNT_TOO_LONG' | 'WORKER_TOO_LONG' | 'BAD_CHARACTER';

export interface WorkerName {
  readonly account: string;
  readonly worker: string;
}

// No ':' (a separator in our Redis keys), no spaces, quotes, slashes or control characters.
const ACCOUNT_RE = /^[A-Za-z0-9_\-@]+$/;
const WORKER_RE = /^[A-Za-z0-9_\-.@]+$/;

export function parseWorkerName(raw: string): Result<WorkerName, WorkerNameErrorCode> {
  const dot = raw.indexOf('.');
  const account = (dot < 0 ? raw : raw.slice(0, dot)).trim();
  const worker = (dot < 0 ? '' : raw.slice(dot + 1)).trim();
  if (account.length === 0)
    return fail('EMPTY_ACCOUNT', `user name '${printable(raw)}' has no account before the '.'`);
  if (account.length > MAX_ACCOUNT_LENGTH) {
    return fail(
      'ACCOUNT_TOO_LONG',
      `account is ${account.length} characters; the limit is ${MAX_ACCOUNT_LENGTH}`,
    );
  }
  if (!ACCOUNT_RE.test(account)) {
    return fail(
      'BAD_CHARACTER',
      `account '${printable(account)}' may only hold letters, digits, '_', '-' and '@'`,
    );
  }
  if (worker.length > MAX_WORKER_LENGTH) {
    return fail(
      'WORKER_TOO_LONG',
      `worker is ${worker.length} characters; the limit is ${MAX_WORKER_LENGTH}`,
    );
  }
  if (worker.length > 0 && !WORKER_RE.test(worker)) {
    return fail(
      'BAD_CHARACTER',
      `worker '${printable(worker)}' may only hold letters, digits, '_', '-', '.' and '@'`,
    );
  }
  return ok({ account, worker: worker.length > 0 ? worker : DEFAULT_WORKER });
}

/** Shows control characters escaped, so an error message cannot corrupt a log line. */
function printable(s: string): string {
  return JSON.stringify(s.slice(0, 80)).slice(1, -1);
}
