// Small HTTP/1.1 client for miner web APIs: timeouts, a size cap, and RFC 7616 Digest (MD5, qop=auth)
// as lighttpd on stock Antminers asks for (realm "antMiner Configuration"). Never rejects.
import { randomBytes, createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { fail, ok, type Result } from '@farmhand/core';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type Endpoint,
  type TransportErrorCode,
} from './cgminer-client.js';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Answer a Digest challenge with these (one retry). */
  readonly digest?: { readonly user: string; readonly password: string };
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type HttpErrorCode = TransportErrorCode | 'BAD_HTTP';

export async function httpCall(to: Endpoint, req: HttpRequest): Promise<Result<HttpResponse, HttpErrorCode>> {
  const first = await once(to, req, undefined);
  if (!first.ok || first.value.status !== 401 || !req.digest) return first;
  const challenge = parseDigestChallenge(first.value.headers['www-authenticate']);
  if (!challenge) return first;
  return once(
    to,
    req,
    digestAuthorization(challenge, req.method, req.path, req.digest.user, req.digest.password),
  );
}

function once(
  to: Endpoint,
  req: HttpRequest,
  authorization: string | undefined,
): Promise<Result<HttpResponse, HttpErrorCode>> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Result<HttpResponse, HttpErrorCode>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      r2.destroy();
      resolve(r);
    };
    const headers: Record<string, string> = { Connection: 'close', ...req.headers };
    if (authorization) headers.Authorization = authorization;
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r2 = httpRequest(
      { host: to.host, port: to.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes)
            return finish(fail('REPLY_TOO_LARGE', `${to.host}:${to.port} sent more than ${maxBytes} bytes`));
          chunks.push(c);
        });
        res.on('end', () =>
          finish(
            ok({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
        res.on('error', () => finish(fail('CONNECTION_RESET', `${to.host}:${to.port} broke off the reply`)));
      },
    );
    let connected = false;
    r2.on('socket', (s) => s.once('connect', () => (connected = true)));
    const timer = setTimeout(() => {
      if (connected)
        finish(
          fail(
            'TIMEOUT',
            `${to.host}:${to.port} did not answer ${req.method} ${req.path} within ${timeoutMs} ms`,
          ),
        );
      else
        finish(
          fail('CONNECT_TIMEOUT', `${to.host}:${to.port} did not accept a connection within ${timeoutMs} ms`),
        );
    }, timeoutMs);
    r2.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED')
        return finish(fail('CONNECT_REFUSED', `${to.host}:${to.port} refused the connection`));
      if (e.code === 'ECONNRESET')
        return finish(fail('CONNECTION_RESET', `${to.host}:${to.port} reset the connection`));
      if (e.code === 'HPE_INVALID_CONSTANT' || e.code?.startsWith('HPE_'))
        return finish(fail('BAD_HTTP', `${to.host}:${to.port} did not answer HTTP (${e.code})`));
      finish(fail('CONNECT_FAILED', `${to.host}:${to.port}: ${e.message}`));
    });
    if (req.body !== undefined) r2.write(req.body);
    r2.end();
  });
}

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly qop: string | null;
  readonly opaque: string | null;
  readonly algorithm: string | null;
}

export function parseDigestChallenge(header: string | undefined): DigestChallenge | null {
  if (!header || !/^\s*Digest\s/i.test(header)) return null;
  const params = new Map<string, string>();
  for (const m of header.replace(/^\s*Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    params.set((m[1] as string).toLowerCase(), m[2] ?? m[3] ?? '');
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const qop = params.get('qop');
  return {
    realm,
    nonce,
    qop:
      qop === undefined
        ? null
        : qop
              .split(',')
              .map((q) => q.trim())
              .includes('auth')
          ? 'auth'
          : null,
    opaque: params.get('opaque') ?? null,
    algorithm: params.get('algorithm') ?? null,
  };
}

const md5hex = (s: string): string => createHash('md5').update(s).digest('hex');

export function digestAuthorization(
  c: DigestChallenge,
  method: string,
  uri: string,
  user: string,
  password: string,
  cnonce = randomBytes(8).toString('hex'),
  nc = '00000001',
): string {
  const ha1 = md5hex(`${user}:${c.realm}:${password}`);
  const ha2 = md5hex(`${method}:${uri}`);
  const response = c.qop
    ? md5hex(`${ha1}:${c.nonce}:${nc}:${cnonce}:${c.qop}:${ha2}`)
    : md5hex(`${ha1}:${c.nonce}:${ha2}`);
  const parts = [
    `username="${user}"`,
    `realm="${c.realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
  ];
  if (c.algorithm) parts.push(`algorithm=${c.algorithm}`);
  if (c.qop) parts.push(`qop=${c.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (c.opaque !== null) parts.push(`opaque="${c.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
