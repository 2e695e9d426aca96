// Asks a running agent about itself over its control API (docs/control-api.md). The token, when one
// is needed, goes only into the Authorization header; it is never part of what the doctor prints.

export interface AgentHealth {
  readonly status: string;
  readonly version: string;
  readonly uptimeS: number;
  readonly checks: Record<string, string>;
}

export interface AgentProbe {
  /** The control API's base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The health answer, or why there is none. */
  readonly health: AgentHealth | null;
  readonly error: string | null;
  /** Shares buffered, from /api/v1/summary, when the agent answered. */
  readonly buffered: number | null;
}

async function getJson(
  url: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: not our agent.
  }
  return { status: res.status, body };
}

function isHealth(v: unknown): v is AgentHealth {
  const h = v as Partial<AgentHealth> | null;
  return !!h && typeof h.status === 'string' && typeof h.version === 'string' && typeof h.checks === 'object';
}

export async function probeAgent(
  url: string,
  token: string | undefined,
  timeoutMs = 2000,
): Promise<AgentProbe> {
  const base = url.replace(/\/+$/, '');
  try {
    // 503 is a degraded but answering agent.
    const h = await getJson(`${base}/api/v1/health`, token, timeoutMs);
    if (h.status === 401)
      return { url: base, health: null, error: 'the control API refused the token', buffered: null };
    if (!isHealth(h.body))
      return {
        url: base,
        health: null,
        error: `${base} answers, but not as a farmhand agent (HTTP ${h.status})`,
        buffered: null,
      };
    let buffered: number | null = null;
    try {
      const s = await getJson(`${base}/api/v1/summary`, token, timeoutMs);
      const b = (s.body as { upstream?: { buffered?: unknown } } | null)?.upstream?.buffered;
      if (typeof b === 'number') buffered = b;
    } catch {
      // The depth then comes from the store file.
    }
    return { url: base, health: h.body, error: null, buffered };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    const why =
      cause === 'ECONNREFUSED'
        ? 'nothing listens there'
        : cause === 'TimeoutError'
          ? 'no answer in time'
          : cause;
    return { url: base, health: null, error: `no agent answers at ${base} (${why})`, buffered: null };
  }
}

/** The control API address a config implies: its host (a wildcard bind is reached on loopback) and port. */
export function controlUrl(host: string, port: number): string {
  const h =
    host === '0.0.0.0' || host === ''
      ? '127.0.0.1'
      : host === '::'
        ? '[::1]'
        : host.includes(':')
          ? `[${host}]`
          : host;
  return `http://${h}:${port}`;
}
