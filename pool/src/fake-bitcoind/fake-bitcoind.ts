// A fake bitcoind for tests and the demo: a real HTTP JSON-RPC server with Core's method names, error
// shapes and submitblock reason strings, on a regtest-difficulty chain that advances as blocks arrive.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlockTemplate } from '@farmhand/core/bitcoin';
import { type AcceptedBlock, FakeChain } from './fake-chain.js';
import { REGTEST_TEMPLATE_108 } from './regtest-template.js';

export interface FakeBitcoindOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  user?: string;
  password?: string;
  /** The first template (default: the embedded Core regtest template at height 108). */
  template?: BlockTemplate;
  /** How long a long-poll is held when nothing changes, ms (Core holds for minutes; tests want less). */
  longPollMs?: number;
}

/** Fault injection for tests of the callers: hang = never answer; http-500 = a bare HTTP error. */
export type FakeFault = 'hang' | 'http-500' | null;

const MAX_BODY = 8 * 1024 * 1024;

export class FakeBitcoind {
  readonly chain: FakeChain;
  readonly #opts: Required<Omit<FakeBitcoindOptions, 'template'>>;
  readonly #server: Server;
  readonly #waiters = new Set<() => void>();
  #fault: FakeFault = null;
  #port = 0;
  /** How many RPC calls arrived, by method (tests check polling and retries with it). */
  readonly calls = new Map<string, number>();

  constructor(opts: FakeBitcoindOptions = {}) {
    this.chain = new FakeChain(opts.template ?? REGTEST_TEMPLATE_108);
    this.#opts = {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      user: opts.user ?? 'farmhand',
      password: opts.password ?? 'farmhand',
      longPollMs: opts.longPollMs ?? 30_000,
    };
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async listen(): Promise<{ port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return { port: this.#port, url: this.url() };
  }

  /** http://user:password@host:port */
  url(): string {
    const { user, password, host } = this.#opts;
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${this.#port}`;
  }

  async close(): Promise<void> {
    for (const wake of this.#waiters) wake();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  setFault(fault: FakeFault): void {
    this.#fault = fault;
  }

  acceptedBlocks(): AcceptedBlock[] {
    return this.chain.acceptedBlocks();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#fault === 'hang') return; // hold the socket, answer nothing
    if (!this.#authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end('JSONRPC server handles only POST requests');
      return;
    }
    const body = await readBody(req);
    if (this.#fault === 'http-500') {
      res.writeHead(500).end('fault injected');
      return;
    }
    let call: { id?: unknown; method?: unknown; params?: unknown };
    try {
      call = JSON.parse(body ?? '') as typeof call;
    } catch {
      return reply(res, 500, null, null, { code: -32700, message: 'Parse error' });
    }
    const id = call.id ?? null;
    const params = Array.isArray(call.params) ? (call.params as unknown[]) : [];
    const method = typeof call.method === 'string' ? call.method : '';
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    switch (method) {
      case 'getblocktemplate':
        return this.#getBlockTemplate(res, id, params);
      case 'submitblock': {
        if (typeof params[0] !== 'string')
          return reply(res, 500, id, null, { code: -1, message: 'submitblock "hexdata" ( "dummy" )' });
        const out = this.chain.submit(params[0]);
        if ('decodeError' in out) return reply(res, 500, id, null, { code: -22, message: out.decodeError });
        if (out.result === null) for (const wake of this.#waiters) wake();
        return reply(res, 200, id, out.result);
      }
      case 'getbestblockhash':
        return reply(res, 200, id, this.chain.tip.hash);
      case 'getblockcount':
        return reply(res, 200, id, this.chain.tip.height);
      case 'getblockchaininfo': {
        const tip = this.chain.tip;
        return reply(res, 200, id, {
          chain: 'regtest',
          blocks: tip.height,
          headers: tip.height,
          bestblockhash: tip.hash,
          initialblockdownload: false,
        });
      }
      default:
        return reply(res, 404, id, null, { code: -32601, message: 'Method not found' });
    }
  }

  async #getBlockTemplate(res: ServerResponse, id: unknown, params: unknown[]): Promise<void> {
    const request = params[0] as { rules?: unknown; longpollid?: unknown } | undefined;
    if (!request || !Array.isArray(request.rules) || !request.rules.includes('segwit')) {
      return reply(res, 500, id, null, {
        code: -8,
        message: 'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
      });
    }
    if (typeof request.longpollid === 'string' && request.longpollid === this.chain.longpollid) {
      await this.#waitForChange(res);
      if (res.destroyed) return;
    }
    return reply(res, 200, id, this.chain.template());
  }

  /** Holds a long-poll until the tip changes, the hold time passes, or the caller goes away. */
  async #waitForChange(res: ServerResponse): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, this.#opts.longPollMs);
      this.#waiters.add(done);
      res.once('close', done);
    });
  }

  #authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const given = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return given === `${this.#opts.user}:${this.#opts.password}`;
  }
}

function reply(
  res: ServerResponse,
  status: number,
  id: unknown,
  result: unknown,
  error: { code: number; message: string } | null = null,
): void {
  if (res.destroyed) return;
  const body = JSON.stringify({ result, error, id });
  res.writeHead(status, { 'content-type': 'application/json' }).end(body + '\n');
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
