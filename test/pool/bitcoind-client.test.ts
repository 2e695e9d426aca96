import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitcoindClient, chainToNetwork } from '../../pool/src/bitcoind/index.js';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';

let fake: FakeBitcoind;
let port: number;
const clients: BitcoindClient[] = [];
const client = (url: string, extra: { cookieFile?: string; timeoutMs?: number } = {}): BitcoindClient => {
  const c = new BitcoindClient({ url, timeoutMs: 3000, ...extra });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  fake = new FakeBitcoind({ user: 'alice', password: 'p@ss:word' });
  port = (await fake.listen()).port;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fake.close();
});

describe('BitcoindClient', () => {
  it('authenticates with credentials from the URL (percent-encoded)', async () => {
    const r = await client(fake.url()).getBlockCount();
    expect(r.ok && r.value).toBe(107);
  });

  it('authenticates with a cookie file, re-read on each call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-cookie-'));
    const cookie = join(dir, '.cookie');
    writeFileSync(cookie, 'alice:p@ss:word\n');
    const c = client(`http://127.0.0.1:${port}`, { cookieFile: cookie });
    const ok = await c.getBestBlockHash();
    expect(ok.ok && ok.value).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(cookie, '__cookie__:stale');
    const refused = await c.getBestBlockHash();
    expect(!refused.ok && refused.error.code).toBe('RPC_AUTH');
    const missing = await client(`http://127.0.0.1:${port}`, {
      cookieFile: join(dir, 'nope'),
    }).getBlockCount();
    expect(!missing.ok && missing.error.message).toContain('cookie file');
  });

  it('reports wrong credentials as RPC_AUTH (HTTP 401)', async () => {
    const r = await client(`http://alice:wrong@127.0.0.1:${port}`).getBlockCount();
    expect(!r.ok && r.error.code).toBe('RPC_AUTH');
    expect(!r.ok && r.error.message).toContain('401');
  });

  it('reports an unknown method as an RPC error with its code', async () => {
    const r = await client(fake.url()).call('nosuchmethod');
    expect(!r.ok && r.error.code).toBe('RPC_ERROR');
    expect(!r.ok && r.rpcCode).toBe(-32601);
    expect(!r.ok && r.error.message).toContain('Method not found');
  });

  it('reports a bare HTTP error and a hung node (timeout), then works again', async () => {
    const c = client(fake.url(), { timeoutMs: 300 });
    fake.setFault('http-500');
    const http = await c.getBlockCount();
    expect(!http.ok && http.error.code).toBe('RPC_HTTP');
    fake.setFault('hang');
    const hung = await c.getBlockCount();
    expect(!hung.ok && hung.error.code).toBe('RPC_TIMEOUT');
    expect(!hung.ok && hung.error.message).toContain('no answer within 300 ms');
    fake.setFault(null);
    const back = await c.getBlockCount();
    expect(back.ok).toBe(true);
  });

  it('reports a refused connection as RPC_UNREACHABLE', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const closedPort = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const r = await client(`http://u:p@127.0.0.1:${closedPort}`).getBlockCount();
    expect(!r.ok && r.error.code).toBe('RPC_UNREACHABLE');
    expect(!r.ok && r.error.message).toContain('ECONNREFUSED');
  });

  it("maps getblockchaininfo's chain names to networks", () => {
    expect(chainToNetwork('main')).toBe('mainnet');
    expect(chainToNetwork('test')).toBe('testnet');
    expect(chainToNetwork('testnet4')).toBe('testnet');
    expect(chainToNetwork('signet')).toBe('signet');
    expect(chainToNetwork('regtest')).toBe('regtest');
    expect(chainToNetwork('bogus')).toBeUndefined();
  });
});
