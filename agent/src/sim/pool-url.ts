import { fail, ok, type Result } from '@farmhand/core';

/** One configured pool, as firmware keeps it: URL, worker, password. */
export interface PoolConfig {
  readonly url: string;
  readonly user: string;
  readonly password: string;
}

export interface PoolAddress {
  readonly host: string;
  readonly port: number;
}

export type PoolUrlErrorCode = 'BAD_POOL_URL';

/**
 * `stratum+tcp://user:pass@host:port` → the pool config firmware would store. User and password
 * are optional; a URL without them gets the farm's worker name.
 */
export function parsePoolSpec(
  spec: string,
): Result<{ url: string; user?: string; password?: string }, PoolUrlErrorCode> {
  const m = /^(stratum\+tcp:\/\/)?(?:([^:@/]*)(?::([^@/]*))?@)?([^:@/]+):(\d{1,5})\/?$/.exec(spec.trim());
  if (!m) {
    return fail('BAD_POOL_URL', `pool '${spec}' is not stratum+tcp://[user[:pass]@]host:port`);
  }
  const port = Number(m[5]);
  if (port < 1 || port > 65535) return fail('BAD_POOL_URL', `pool '${spec}': port ${port} is out of range`);
  const url = `stratum+tcp://${m[4]}:${port}`;
  return ok({
    url,
    ...(m[2] ? { user: decodeURIComponent(m[2]) } : {}),
    ...(m[3] !== undefined ? { password: decodeURIComponent(m[3]) } : {}),
  });
}

/** Host and port of a stored pool URL; firmware accepts it with or without the scheme. */
export function poolAddress(url: string): PoolAddress | undefined {
  const m = /^(?:stratum\+tcp:\/\/)?([^:/]+):(\d{1,5})\/?$/.exec(url.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}
