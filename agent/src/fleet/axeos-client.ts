// AxeOS (ESP-Miner) REST API on port 80, no authentication.
import { fail, ok, type Result } from '@farmhand/core';
import type { JsonObject } from './cgminer-reply.js';
import type { Endpoint } from './cgminer-client.js';
import { httpCall, type HttpErrorCode } from './http-client.js';

export type AxeosError = HttpErrorCode | 'HTTP_STATUS' | 'UNREADABLE_BODY';

export async function getSystemInfo(
  to: Endpoint,
  timeoutMs?: number,
): Promise<Result<JsonObject, AxeosError>> {
  const r = await httpCall(to, {
    method: 'GET',
    path: '/api/system/info',
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  if (!r.ok) return r;
  if (r.value.status !== 200)
    return fail('HTTP_STATUS', `${to.host}: GET /api/system/info answered ${r.value.status}`);
  try {
    const v = JSON.parse(r.value.body) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      return fail('UNREADABLE_BODY', `${to.host}: /api/system/info is not a JSON object`);
    return ok(v as JsonObject);
  } catch {
    return fail('UNREADABLE_BODY', `${to.host}: /api/system/info is not JSON`);
  }
}

export interface AxeosPools {
  readonly stratumURL: string; // bare host, no scheme, no port
  readonly stratumPort: number;
  readonly stratumUser: string;
  readonly stratumPassword?: string;
  readonly fallbackStratumURL?: string;
  readonly fallbackStratumPort?: number;
  readonly fallbackStratumUser?: string;
  readonly fallbackStratumPassword?: string;
}

/** `stratum+tcp://host:port` into AxeOS's separate host and port fields. */
export function splitStratumUrl(url: string): { host: string; port: number | null } {
  const m = /^(?:[a-z+]+:\/\/)?([^:/]+)(?::(\d+))?/i.exec(url.trim());
  return { host: m?.[1] ?? url, port: m?.[2] ? Number(m[2]) : null };
}

/** PATCH only the given fields, then restart (settings take effect after the restart). */
export async function setPools(
  to: Endpoint,
  pools: AxeosPools,
  restart = true,
  timeoutMs?: number,
): Promise<Result<'applied', AxeosError>> {
  const t = timeoutMs ? { timeoutMs } : {};
  const r = await httpCall(to, {
    method: 'PATCH',
    path: '/api/system',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(pools),
    ...t,
  });
  if (!r.ok) return r;
  if (r.value.status !== 200)
    return fail(
      'HTTP_STATUS',
      `${to.host}: PATCH /api/system answered ${r.value.status}: ${r.value.body.slice(0, 120)}`,
    );
  if (!restart) return ok('applied');
  const rs = await httpCall(to, { method: 'POST', path: '/api/system/restart', ...t });
  if (!rs.ok) return rs;
  if (rs.value.status !== 200)
    return fail('HTTP_STATUS', `${to.host}: POST /api/system/restart answered ${rs.value.status}`);
  return ok('applied');
}
