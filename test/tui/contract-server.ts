// An in-test HTTP server that answers the control API contract (docs/control-api.md) with canned data,
// so the TUI's client and app run against real HTTP on loopback.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentEvent, Discovery, MinerRow, SerialStatus, Summary, Upstream } from '@farmhand/tui';
import {
  DISCOVERY,
  SERIAL,
  EVENTS,
  SUMMARY,
  UPSTREAMS,
  farmHistory,
  minerDetail,
  minerRows,
} from './farm-data.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ContractServerOptions {
  miners?: number;
  token?: string;
  /** Every answer waits this long: a slow agent. */
  delayMs?: number;
}

export class ContractServer {
  readonly requests: RecordedRequest[] = [];
  summary: Summary = structuredClone(SUMMARY);
  miners: MinerRow[];
  upstreams: Upstream[] = structuredClone(UPSTREAMS);
  discovery: Discovery = structuredClone(DISCOVERY);
  serial: SerialStatus = structuredClone(SERIAL);
  events: AgentEvent[] = structuredClone(EVENTS);
  delayMs: number;
  private readonly token: string | undefined;
  private server: Server | null = null;
  private port = 0;

  constructor(options: ContractServerOptions = {}) {
    this.miners = minerRows(options.miners ?? 2_500);
    this.token = options.token;
    this.delayMs = options.delayMs ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops answering (the agent went away); start() again on the same port brings it back. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.start(this.port);
  }

  posts(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const send = (status: number, value: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { error: { code: 'UNAUTHORIZED', message: 'a bearer token is required' } });
    }
    const answer = this.route(req.method ?? 'GET', url.pathname, url.searchParams, body);
    if (answer === null)
      return send(404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } });
    send(answer.status, answer.value);
  }

  private route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: unknown,
  ): { status: number; value: unknown } | null {
    const ok = (value: unknown) => ({ status: 200, value });
    const notFound = (what: string) => ({
      status: 404,
      value: { error: { code: 'NOT_FOUND', message: what } },
    });
    if (method === 'GET') {
      if (path === '/api/v1/health') {
        return ok({
          status: 'ok',
          version: '0.1.0',
          uptimeS: 100,
          checks: { store: 'ok', upstream: 'ok', stratum: 'ok' },
        });
      }
      if (path === '/api/v1/summary') return ok(this.summary);
      if (path === '/api/v1/miners') return ok(this.minerPage(q));
      const minerMatch = /^\/api\/v1\/miners\/([^/]+)$/.exec(path);
      if (minerMatch) {
        const id = decodeURIComponent(minerMatch[1]!);
        const index = this.miners.findIndex((m) => m.id === id);
        return index < 0 ? notFound(`no miner ${id}`) : ok({ ...minerDetail(index), ...this.miners[index] });
      }
      if (path === '/api/v1/upstreams') return ok({ items: this.upstreams });
      if (path === '/api/v1/history') {
        return ok({ ...farmHistory(Number(q.get('minutes') ?? 180)), scope: q.get('scope') ?? 'farm' });
      }
      if (path === '/api/v1/events') {
        const level = q.get('level');
        const needle = (q.get('q') ?? '').toLowerCase();
        const items = this.events
          .filter((e) => !level || e.level === level)
          .filter(
            (e) =>
              !needle || [e.message, e.kind, e.worker ?? ''].some((v) => v.toLowerCase().includes(needle)),
          )
          .slice(0, Number(q.get('limit') ?? 200));
        return ok({ items });
      }
      if (path === '/api/v1/discovery') return ok(this.discovery);
      if (path === '/api/v1/serial') return ok(this.serial);
      return null;
    }
    const upstream = /^\/api\/v1\/upstreams\/([^/]+)\/(switch|enable|disable)$/.exec(path);
    if (upstream) {
      const target = this.upstreams.find((u) => u.name === decodeURIComponent(upstream[1]!));
      if (!target) return notFound('no such upstream');
      if (upstream[2] === 'switch') for (const u of this.upstreams) u.active = u === target;
      else target.enabled = upstream[2] === 'enable';
      return ok({ ok: true });
    }
    if (/^\/api\/v1\/miners\/[^/]+\/(restart|repoint)$/.test(path)) return ok({ ok: true });
    if (path === '/api/v1/discovery/scan') return ok({ ok: true });
    if (path === '/api/v1/discovery/adopt') {
      const request = body as { ips?: string[]; make?: string; naming: string; dryRun: boolean };
      const chosen = this.discovery.devices.filter(
        (d) => !d.adopted && (request.ips ? request.ips.includes(d.ip) : d.make === request.make),
      );
      const changes = chosen.map((d) => {
        if (!request.dryRun) d.adopted = true;
        const name = request.naming === 'serial' ? d.serial : request.naming === 'mac' ? d.mac : d.ip;
        return {
          ip: d.ip,
          worker: `farm1.${String(name).replace(/[.:]/g, '-')}`,
          from: ['stratum+tcp://old-pool.example.net:3333'],
          to: ['stratum+tcp://10.0.20.1:3333'],
          applied: !request.dryRun,
        };
      });
      return ok({ changes });
    }
    return null;
  }

  private minerPage(q: URLSearchParams): { total: number; offset: number; items: MinerRow[] } {
    const needle = (q.get('filter') ?? '').toLowerCase();
    let rows = needle
      ? this.miners.filter((m) =>
          [m.worker, m.ip, m.make, m.model].some((v) => v?.toLowerCase().includes(needle)),
        )
      : this.miners.slice();
    const sort = q.get('sort') as keyof MinerRow | null;
    if (sort) {
      const sign = q.get('order') === 'desc' ? -1 : 1;
      rows = rows.sort((a, b) => {
        const x = a[sort] ?? -Infinity;
        const y = b[sort] ?? -Infinity;
        return (x < y ? -1 : x > y ? 1 : 0) * sign;
      });
    }
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 100);
    return { total: rows.length, offset, items: rows.slice(offset, offset + limit) };
  }
}
