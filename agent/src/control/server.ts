import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ActionResult, ControlSource, MinerQuery, MinerRow } from './types.js';

// The agent's local HTTP API (docs/control-api.md). Thin: parse the request, ask the source, answer JSON.

export interface ControlServerOptions {
  host: string;
  port: number;
  token?: string;
  logger: Logger;
}

const MAX_BODY = 64 * 1024;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export class ControlApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function assertBindAllowed(host: string, token: string | undefined): void {
  if (!LOOPBACK.test(host) && !token) {
    throw new ControlApiError(
      'CONTROL_TOKEN_REQUIRED',
      `the control API binds ${host}, which is not loopback: set control.token in the config`,
    );
  }
}

export class ControlServer {
  private readonly server: Server;

  constructor(
    private readonly source: ControlSource,
    private readonly opts: ControlServerOptions,
  ) {
    assertBindAllowed(opts.host, opts.token);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        opts.logger.error({ err: e, url: req.url }, 'control API request failed');
        send(res, 500, { error: { code: 'INTERNAL', message: (e as Error).message } });
      });
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 15_000;
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve({ port: (this.server.address() as AddressInfo).port });
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.opts.token) return true;
    const given = Buffer.from(req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '');
    const want = Buffer.from(this.opts.token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (!this.authorized(req))
      return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } });
    const path = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    const s = this.source;

    if (req.method === 'GET') {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(await s.metrics());
        return;
      }
      if (path === '/api/v1/health') {
        const h = s.health();
        return send(res, h.status === 'ok' ? 200 : 503, h);
      }
      if (path === '/api/v1/summary') return send(res, 200, s.summary());
      if (path === '/api/v1/miners') return send(res, 200, pageMiners(s.miners(), minerQuery(q)));
      const miner = /^\/api\/v1\/miners\/([^/]+)$/.exec(path);
      if (miner) {
        const detail = s.miner(decodeURIComponent(miner[1]!));
        return detail ? send(res, 200, detail) : notFound(res, 'no such miner');
      }
      if (path === '/api/v1/workers') return send(res, 200, { items: s.workers() });
      if (path === '/api/v1/upstreams') return send(res, 200, { items: s.upstreams() });
      if (path === '/api/v1/history') {
        const scope = q.get('scope') ?? 'farm';
        if (scope !== 'farm' && scope !== 'worker' && scope !== 'miner')
          return badRequest(res, 'scope must be farm, worker or miner');
        const key = q.get('key') ?? '';
        const minutes = clampInt(q.get('minutes'), 180, 1, 7 * 24 * 60);
        return send(res, 200, { scope, key, points: s.history(scope, key, minutes) });
      }
      if (path === '/api/v1/events') {
        const level = q.get('level') ?? undefined;
        const text = q.get('q') ?? undefined;
        return send(res, 200, {
          items: s.events({
            limit: clampInt(q.get('limit'), 200, 1, 5000),
            ...(level ? { level } : {}),
            ...(text ? { q: text } : {}),
          }),
        });
      }
      if (path === '/api/v1/discovery') return send(res, 200, s.discovery());
      if (path === '/api/v1/serial') return send(res, 200, s.serial());
      return notFound(res, `no route GET ${path}`);
    }

    if (req.method === 'POST') {
      const body = await readJson(req);
      if (body === undefined) return badRequest(res, 'the body must be JSON (at most 64 KiB)');
      const up = /^\/api\/v1\/upstreams\/([^/]+)\/(switch|enable|disable)$/.exec(path);
      if (up) {
        const name = decodeURIComponent(up[1]!);
        return answer(
          res,
          up[2] === 'switch'
            ? await s.switchUpstream(name)
            : await s.enableUpstream(name, up[2] === 'enable'),
        );
      }
      const act = /^\/api\/v1\/miners\/([^/]+)\/(restart|repoint)$/.exec(path);
      if (act) {
        const id = decodeURIComponent(act[1]!);
        if (act[2] === 'restart') return answer(res, await s.restartMiner(id));
        const b = body as { url?: unknown; user?: unknown; password?: unknown };
        if (typeof b.url !== 'string' || typeof b.user !== 'string')
          return badRequest(res, 'repoint needs {"url": "...", "user": "..."}');
        return answer(
          res,
          await s.repointMiner(id, {
            url: b.url,
            user: b.user,
            ...(typeof b.password === 'string' ? { password: b.password } : {}),
          }),
        );
      }
      if (path === '/api/v1/discovery/scan') {
        const ranges = (body as { ranges?: unknown }).ranges;
        if (!Array.isArray(ranges) || !ranges.every((r) => typeof r === 'string'))
          return badRequest(res, 'scan needs {"ranges": ["192.168.1.0/24", ...]}');
        return answer(res, await s.startScan(ranges as string[]));
      }
      if (path === '/api/v1/discovery/adopt') {
        const b = body as { ips?: unknown; make?: unknown; naming?: unknown; dryRun?: unknown };
        const naming = b.naming ?? 'ip';
        if (naming !== 'ip' && naming !== 'serial' && naming !== 'mac')
          return badRequest(res, 'naming must be ip, serial or mac');
        if (b.ips !== undefined && (!Array.isArray(b.ips) || !b.ips.every((i) => typeof i === 'string')))
          return badRequest(res, 'ips must be a list of addresses');
        const r = await s.adopt({
          naming,
          dryRun: b.dryRun !== false,
          ...(Array.isArray(b.ips) ? { ips: b.ips as string[] } : {}),
          ...(typeof b.make === 'string' ? { make: b.make } : {}),
        });
        return r.ok ? send(res, 200, { changes: r.changes }) : answer(res, r);
      }
      return notFound(res, `no route POST ${path}`);
    }
    send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not supported` } });
  }
}

function minerQuery(q: URLSearchParams): MinerQuery {
  const order = q.get('order');
  const sort = q.get('sort');
  const filter = q.get('filter');
  return {
    offset: clampInt(q.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER),
    limit: clampInt(q.get('limit'), 100, 1, 1000),
    ...(sort ? { sort } : {}),
    ...(order === 'asc' || order === 'desc' ? { order } : {}),
    ...(filter ? { filter } : {}),
  };
}

/** Filter, sort and page the miner list (the TUI pages through thousands of rows). */
export function pageMiners(
  rows: MinerRow[],
  q: MinerQuery,
): { total: number; offset: number; items: MinerRow[] } {
  const needle = q.filter?.toLowerCase();
  let list = needle
    ? rows.filter((r) => [r.worker, r.ip, r.make, r.model].some((v) => v?.toLowerCase().includes(needle)))
    : rows.slice();
  if (q.sort && q.sort in (rows[0] ?? {})) {
    const key = q.sort as keyof MinerRow;
    const dir = q.order === 'desc' ? -1 : 1;
    list = list.sort((a, b) => {
      const x = a[key] ?? '';
      const y = b[key] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  }
  return { total: list.length, offset: q.offset, items: list.slice(q.offset, q.offset + q.limit) };
}

function clampInt(v: string | null, dflt: number, min: number, max: number): number {
  const n = v === null ? dflt : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : dflt;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, r: ActionResult): void {
  if (r.ok) send(res, 200, { ok: true });
  else send(res, r.status, { error: { code: r.code, message: r.message } });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function notFound(res: ServerResponse, message: string): void {
  send(res, 404, { error: { code: 'NOT_FOUND', message } });
}

function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { error: { code: 'BAD_REQUEST', message } });
}
