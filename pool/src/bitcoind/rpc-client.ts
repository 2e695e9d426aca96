// JSON-RPC over HTTP to bitcoind (Bitcoin Core or a node with the same RPC). Every call has a timeout, and
// every failure comes back as a value whose message names the node and says what went wrong.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { fail, ok, type Result } from '@farmhand/core';
import type { BlockTemplate, Network } from '@farmhand/core/bitcoin';

export type RpcErrorCode =
  | 'RPC_UNREACHABLE' // connection refused / reset / DNS
  | 'RPC_TIMEOUT' // no complete answer in time (a hung node)
  | 'RPC_AUTH' // HTTP 401/403, or the cookie file cannot be read
  | 'RPC_HTTP' // another HTTP status without a JSON-RPC error body
  | 'RPC_BAD_REPLY' // not JSON, or not a JSON-RPC reply
  | 'RPC_ERROR'; // the node answered with a JSON-RPC error

/** rpcCode: the JSON-RPC error code when the failure is RPC_ERROR (e.g. -8, -32601). */
export type RpcResult<T> = Result<T, RpcErrorCode> & { readonly rpcCode?: number };

export interface BitcoindClientOptions {
  /** http://user:pass@host:port[/wallet/...]. Credentials in the URL are used unless cookieFile is set. */
  url: string;
  /** Path to bitcoind's .cookie file ("__cookie__:password"), re-read on every call (it changes on restart). */
  cookieFile?: string;
  /** Default timeout of a call in ms. */
  timeoutMs?: number;
  /** Name used in messages; default host:port. */
  name?: string;
}

export interface BlockchainInfo {
  chain: string;
  blocks: number;
  bestblockhash: string;
}

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

export class BitcoindClient {
  readonly name: string;
  readonly #origin: string;
  readonly #path: string;
  readonly #user: string;
  readonly #password: string;
  readonly #cookieFile: string | undefined;
  readonly #timeoutMs: number;
  readonly #pool: Pool;
  #nextId = 1;

  constructor(opts: BitcoindClientOptions) {
    const u = new URL(opts.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new RangeError(`bitcoind url ${opts.url}: expected http:// or https://`);
    this.#origin = u.origin;
    this.#path = u.pathname || '/';
    this.#user = decodeURIComponent(u.username);
    this.#password = decodeURIComponent(u.password);
    this.#cookieFile = opts.cookieFile;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.name = opts.name ?? u.host;
    // A few connections so a held long-poll never blocks submitblock.
    this.#pool = new Pool(this.#origin, { connections: 4, keepAliveTimeout: 30_000 });
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  /** One JSON-RPC call. timeoutMs bounds the whole exchange, headers and body. */
  async call<T>(method: string, params: unknown[] = [], timeoutMs = this.#timeoutMs): Promise<RpcResult<T>> {
    const auth = this.#authorization();
    if (!auth.ok) return auth;
    const id = this.#nextId++;
    const where = `bitcoind ${this.name} ${method}`;
    const signal = AbortSignal.timeout(timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.#pool.request({
        path: this.#path,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth.value },
        body: JSON.stringify({ jsonrpc: '1.0', id, method, params }),
        signal,
        headersTimeout: timeoutMs + 1000,
        bodyTimeout: timeoutMs + 1000,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      if (signal.aborted || isTimeout(e))
        return fail('RPC_TIMEOUT', `${where}: no answer within ${timeoutMs} ms (node busy or hung)`);
      return fail('RPC_UNREACHABLE', `${where}: cannot reach ${this.#origin}: ${describe(e)}`);
    }
    if (status === 401 || status === 403) {
      return fail(
        'RPC_AUTH',
        `${where}: HTTP ${status}: the node refused the credentials (check rpcuser/rpcpassword or the cookie file)`,
      );
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      if (status !== 200) return fail('RPC_HTTP', `${where}: HTTP ${status}: ${text.slice(0, 200)}`);
      return fail('RPC_BAD_REPLY', `${where}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof reply !== 'object' || reply === null || !('result' in reply || 'error' in reply)) {
      return fail('RPC_BAD_REPLY', `${where}: HTTP ${status}: not a JSON-RPC reply: ${text.slice(0, 200)}`);
    }
    const r = reply as { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    // Core answers RPC errors with HTTP 500 (404 for an unknown method) and a JSON-RPC error body.
    if (r.error) {
      const code = typeof r.error.code === 'number' ? r.error.code : undefined;
      const msg = typeof r.error.message === 'string' ? r.error.message : JSON.stringify(r.error);
      return {
        ...fail('RPC_ERROR', `${where}: error ${code ?? '?'}: ${msg}`),
        ...(code !== undefined ? { rpcCode: code } : {}),
      };
    }
    if (status !== 200) return fail('RPC_HTTP', `${where}: HTTP ${status}: ${text.slice(0, 200)}`);
    return ok(r.result as T);
  }

  /** getblocktemplate with the segwit rule; with longpollid the node holds the call until the template changes. */
  async getBlockTemplate(longpollid?: string, timeoutMs?: number): Promise<RpcResult<BlockTemplate>> {
    const request: Record<string, unknown> = { rules: ['segwit'] };
    if (longpollid) request.longpollid = longpollid;
    const r = await this.call<BlockTemplate>('getblocktemplate', [request], timeoutMs);
    if (!r.ok) return r;
    const t = r.value as Partial<BlockTemplate> | null;
    if (
      !t ||
      typeof t.previousblockhash !== 'string' ||
      typeof t.height !== 'number' ||
      typeof t.bits !== 'string' ||
      !Array.isArray(t.transactions)
    ) {
      return fail(
        'RPC_BAD_REPLY',
        `bitcoind ${this.name} getblocktemplate: the answer is not a block template`,
      );
    }
    return r;
  }

  /** submitblock: null when accepted, else the node's reason string ("high-hash", "duplicate", ...). */
  async submitBlock(blockHex: string, timeoutMs?: number): Promise<RpcResult<string | null>> {
    const r = await this.call<unknown>('submitblock', [blockHex], timeoutMs);
    if (!r.ok) return r;
    if (r.value !== null && typeof r.value !== 'string')
      return fail(
        'RPC_BAD_REPLY',
        `bitcoind ${this.name} submitblock: unexpected answer ${JSON.stringify(r.value)}`,
      );
    return ok(r.value);
  }

  async getBestBlockHash(): Promise<RpcResult<string>> {
    return this.#typed('getbestblockhash', (v) => typeof v === 'string');
  }

  async getBlockCount(): Promise<RpcResult<number>> {
    return this.#typed('getblockcount', (v) => typeof v === 'number');
  }

  async getBlockchainInfo(): Promise<RpcResult<BlockchainInfo>> {
    return this.#typed(
      'getblockchaininfo',
      (v) => typeof v === 'object' && v !== null && typeof (v as BlockchainInfo).chain === 'string',
    );
  }

  async #typed<T>(method: string, check: (v: unknown) => boolean): Promise<RpcResult<T>> {
    const r = await this.call<T>(method);
    if (r.ok && !check(r.value))
      return fail(
        'RPC_BAD_REPLY',
        `bitcoind ${this.name} ${method}: unexpected answer ${JSON.stringify(r.value)}`,
      );
    return r;
  }

  #authorization(): Result<string, RpcErrorCode> {
    let user = this.#user;
    let password = this.#password;
    if (this.#cookieFile) {
      let cookie: string;
      try {
        cookie = readFileSync(this.#cookieFile, 'utf8').trim();
      } catch (e) {
        return fail('RPC_AUTH', `bitcoind ${this.name}: cannot read the cookie file: ${describe(e)}`);
      }
      const colon = cookie.indexOf(':');
      if (colon < 0)
        return fail(
          'RPC_AUTH',
          `bitcoind ${this.name}: cookie file ${this.#cookieFile} is not "user:password"`,
        );
      user = cookie.slice(0, colon);
      password = cookie.slice(colon + 1);
    }
    return ok('Basic ' + Buffer.from(`${user}:${password}`).toString('base64'));
  }
}

/** The network of getblockchaininfo's "chain" ("main", "test", "testnet4", "signet", "regtest"). */
export function chainToNetwork(chain: string): Network | undefined {
  switch (chain) {
    case 'main':
      return 'mainnet';
    case 'test':
    case 'testnet4':
      return 'testnet';
    case 'signet':
      return 'signet';
    case 'regtest':
      return 'regtest';
    default:
      return undefined;
  }
}

function isTimeout(e: unknown): boolean {
  const name = (e as { name?: string; code?: string }).name ?? '';
  const code = (e as { code?: string }).code ?? '';
  return (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (code.startsWith('UND_ERR_') && code.includes('TIMEOUT'))
  );
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const msg = err.cause?.message ?? err.message ?? String(e);
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}
