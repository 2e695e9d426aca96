import type {
  AdoptRequest,
  AdoptResult,
  AgentEvent,
  Discovery,
  Done,
  EventLevel,
  Health,
  History,
  MinerDetail,
  MinerPage,
  RepointRequest,
  SerialStatus,
  Summary,
  Upstream,
} from './types.js';

// Errors are values: the UI shows them, it never catches them.
export type ApiErrorCode =
  | 'UNREACHABLE' // connection refused, DNS, reset: the agent is not there
  | 'TIMEOUT' // the agent did not answer in time
  | 'UNAUTHORIZED' // 401: wrong or missing --token
  | 'HTTP_ERROR' // any other 4xx/5xx, with the agent's own code and message when it sent one
  | 'BAD_RESPONSE'; // not JSON

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  status?: number;
  agentCode?: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ControlClientOptions {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs?: number;
}

export interface MinerQuery {
  sort?: string;
  order?: 'asc' | 'desc';
  filter?: string;
  offset?: number;
  limit?: number;
}

export interface EventQuery {
  limit?: number;
  level?: EventLevel;
  q?: string;
}

export const DEFAULT_TIMEOUT_MS = 4000;

/** A typed client of the agent's control API (docs/control-api.md). Every call resolves; none throws. */
export class ControlClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ControlClientOptions) {
    // "10.0.0.5:8080" is what people type; the API is plain HTTP unless they say otherwise.
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.baseUrl)
      ? options.baseUrl
      : `http://${options.baseUrl}`;
    this.baseUrl = url.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** A degraded agent answers 503 with the same body: that is an answer, not an error. */
  health(): Promise<ApiResult<Health>> {
    return this.request('GET', '/api/v1/health', undefined, [503]);
  }

  summary(): Promise<ApiResult<Summary>> {
    return this.request('GET', '/api/v1/summary');
  }

  miners(query: MinerQuery = {}): Promise<ApiResult<MinerPage>> {
    return this.request('GET', `/api/v1/miners${queryString({ ...query })}`);
  }

  miner(id: string): Promise<ApiResult<MinerDetail>> {
    return this.request('GET', `/api/v1/miners/${encodeURIComponent(id)}`);
  }

  upstreams(): Promise<ApiResult<{ items: Upstream[] }>> {
    return this.request('GET', '/api/v1/upstreams');
  }

  history(scope: History['scope'], minutes: number, key?: string): Promise<ApiResult<History>> {
    return this.request('GET', `/api/v1/history${queryString({ scope, key, minutes })}`);
  }

  events(query: EventQuery = {}): Promise<ApiResult<{ items: AgentEvent[] }>> {
    return this.request('GET', `/api/v1/events${queryString({ ...query })}`);
  }

  discovery(): Promise<ApiResult<Discovery>> {
    return this.request('GET', '/api/v1/discovery');
  }

  /** USB ports, serial devices and host miners (empty lists when the agent drives none). */
  serial(): Promise<ApiResult<SerialStatus>> {
    return this.request('GET', '/api/v1/serial');
  }

  switchUpstream(name: string): Promise<ApiResult<Done>> {
    return this.request('POST', `/api/v1/upstreams/${encodeURIComponent(name)}/switch`);
  }

  setUpstreamEnabled(name: string, enabled: boolean): Promise<ApiResult<Done>> {
    const verb = enabled ? 'enable' : 'disable';
    return this.request('POST', `/api/v1/upstreams/${encodeURIComponent(name)}/${verb}`);
  }

  restartMiner(id: string): Promise<ApiResult<Done>> {
    return this.request('POST', `/api/v1/miners/${encodeURIComponent(id)}/restart`);
  }

  repointMiner(id: string, body: RepointRequest): Promise<ApiResult<Done>> {
    return this.request('POST', `/api/v1/miners/${encodeURIComponent(id)}/repoint`, body);
  }

  startScan(ranges: string[]): Promise<ApiResult<Done>> {
    return this.request('POST', '/api/v1/discovery/scan', { ranges });
  }

  adopt(body: AdoptRequest): Promise<ApiResult<AdoptResult>> {
    return this.request('POST', '/api/v1/discovery/adopt', body);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    alsoOk: number[] = [],
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (err) {
      return { ok: false, error: transportError(err, this.baseUrl, this.timeoutMs) };
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      if (!response.ok) return { ok: false, error: httpError(response.status, null) };
      return {
        ok: false,
        error: { code: 'BAD_RESPONSE', message: `${method} ${path}: the agent did not answer JSON` },
      };
    }
    if (!response.ok && !alsoOk.includes(response.status)) {
      return { ok: false, error: httpError(response.status, parsed) };
    }
    return { ok: true, value: parsed as T };
  }
}

function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function transportError(err: unknown, baseUrl: string, timeoutMs: number): ApiError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { code: 'TIMEOUT', message: `the agent at ${baseUrl} did not answer within ${timeoutMs} ms` };
  }
  // undici puts the socket error (ECONNREFUSED, ...) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : null;
  const detail = cause && 'code' in cause ? String(cause.code) : err instanceof Error ? err.message : '';
  return {
    code: 'UNREACHABLE',
    message: `cannot reach the agent at ${baseUrl}${detail ? ` (${detail})` : ''}`,
  };
}

function httpError(status: number, body: unknown): ApiError {
  const agent = agentError(body);
  if (status === 401) {
    return {
      code: 'UNAUTHORIZED',
      status,
      message: 'the agent refused the token: pass --token (or FARMHAND_TOKEN) matching control.token',
      ...(agent ? { agentCode: agent.code } : {}),
    };
  }
  return {
    code: 'HTTP_ERROR',
    status,
    message: agent ? agent.message : `the agent answered HTTP ${status}`,
    ...(agent ? { agentCode: agent.code } : {}),
  };
}

function agentError(body: unknown): { code: string; message: string } | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code, message };
}
