import { connect } from 'node:net';
import type { AgentConfig } from '../config/index.js';
import { check, type CheckResult } from './check-result.js';

// Can this box reach each configured upstream? A plain TCP connect with a short timeout: it proves
// the route and the firewall, not the credentials. URLs are printed without user and password.

type UpstreamEntry = AgentConfig['upstreams'][number];

export interface UpstreamTarget {
  readonly name: string;
  /** scheme://host:port, credentials removed. */
  readonly shown: string;
  readonly host: string;
  readonly port: number;
  readonly enabled: boolean;
}

export function upstreamTarget(entry: UpstreamEntry, index: number): UpstreamTarget | string {
  const url = typeof entry === 'string' ? entry : entry.url;
  const enabled = typeof entry === 'string' ? true : entry.enabled;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `upstream ${index + 1} is not a URL (expected scheme://[user[:pass]@]host:port)`;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const shown = `${u.protocol}//${u.host}`;
  const name = typeof entry !== 'string' && entry.name ? entry.name : `${index + 1}`;
  if (!u.port) return `upstream ${name} (${shown}) has no port`;
  return { name, shown, host, port: Number(u.port), enabled };
}

export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(
        e.code === 'ECONNREFUSED'
          ? 'connection refused: nothing listens on that port'
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? 'the name does not resolve (DNS)'
            : (e.code ?? e.message),
      ),
    );
  });
}

export async function checkUpstreams(config: AgentConfig, timeoutMs: number): Promise<CheckResult[]> {
  if (config.upstreams.length === 0)
    return [
      check(
        'upstream',
        'warn',
        'no upstream configured: shares are only buffered',
        'add the gateway or pool URL to "upstreams" in the config, then restart the agent',
      ),
    ];
  return Promise.all(
    config.upstreams.map(async (entry, i) => {
      const t = upstreamTarget(entry, i);
      if (typeof t === 'string')
        return check(`upstream.${i + 1}`, 'fail', t, 'correct the URL in "upstreams"');
      const id = `upstream.${t.name}`;
      if (!t.enabled) return check(id, 'skip', `${t.shown} is disabled`);
      const why = await tcpReachable(t.host, t.port, timeoutMs);
      if (why === null) return check(id, 'ok', `${t.shown} is reachable`);
      return check(
        id,
        'fail',
        `${t.shown} is not reachable: ${why}`,
        `check the host and port, the network and any firewall (allow TCP ${t.port} out)`,
      );
    }),
  );
}
