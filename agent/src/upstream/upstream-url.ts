import { fail, ok, type Result } from '@farmhand/core';

// --upstream URLs: stratum+tcp://[user[:pass]@]host:port for a plain pool (the user is the account
// the farm's workers are credited under), farmhand+tcp|tls://AGENT_ID:TOKEN@host:port for a gateway.

export interface StratumUrl {
  readonly kind: 'stratum';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The URL without the password, for logs and the control API. */
  readonly display: string;
}

export interface UplinkUrl {
  readonly kind: 'uplink';
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly agentId: string;
  readonly token: string;
  readonly display: string;
}

export type UpstreamUrl = StratumUrl | UplinkUrl;
export type UrlErrorCode = 'BAD_UPSTREAM_URL';

const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function parseUpstreamUrl(text: string): Result<UpstreamUrl, UrlErrorCode> {
  const bad = (why: string) => fail('BAD_UPSTREAM_URL', `upstream ${redact(text)}: ${why}`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return bad(
      'not a URL; expected stratum+tcp://[user[:pass]@]host:port or farmhand+tcp://AGENT_ID:TOKEN@host:port',
    );
  }
  const scheme = u.protocol.slice(0, -1);
  if (!['stratum+tcp', 'farmhand+tcp', 'farmhand+tls'].includes(scheme))
    return bad(`unknown scheme ${scheme}; use stratum+tcp, farmhand+tcp or farmhand+tls`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return bad('missing host');
  if (!u.port) return bad('missing port (host:port)');
  const port = Number(u.port);
  if ((u.pathname !== '' && u.pathname !== '/') || u.search || u.hash)
    return bad('unexpected path, query or fragment');
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const display = `${scheme}://${user ? `${user}@` : ''}${u.host}`;
  if (scheme === 'stratum+tcp') {
    return ok({ kind: 'stratum', host, port, user, password: password || 'x', display });
  }
  if (!user) return bad('missing agent id (farmhand+tcp://AGENT_ID:TOKEN@host:port)');
  if (!AGENT_ID.test(user)) return bad(`agent id ${user} must be 1..64 of [A-Za-z0-9._-]`);
  if (!password) return bad('missing token (farmhand+tcp://AGENT_ID:TOKEN@host:port)');
  return ok({
    kind: 'uplink',
    tls: scheme === 'farmhand+tls',
    host,
    port,
    agentId: user,
    token: password,
    display,
  });
}

/** The URL text with any password replaced, for error messages. */
function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
