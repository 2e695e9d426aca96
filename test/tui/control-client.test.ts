import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '@farmhand/tui';
import { ContractServer } from './contract-server.js';

let agent: ContractServer;
beforeAll(async () => {
  agent = await new ContractServer({ miners: 300, token: 's3cret' }).start();
});
afterAll(() => agent.stop());

describe('ControlClient', () => {
  it('sends the bearer token and the miner query, and returns typed values', async () => {
    const client = new ControlClient({ baseUrl: agent.url + '/', token: 's3cret' });
    const page = await client.miners({
      sort: 'hashrate',
      order: 'desc',
      filter: 'bitaxe',
      offset: 5,
      limit: 10,
    });
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.value.total).toBe(75);
    expect(page.value.offset).toBe(5);
    expect(page.value.items).toHaveLength(10);
    expect(page.value.items.every((m) => m.make === 'Bitaxe')).toBe(true);
    const sent = agent.requests.at(-1)!;
    expect(sent.path).toBe('/api/v1/miners');
    expect(Object.fromEntries(sent.query)).toEqual({
      sort: 'hashrate',
      order: 'desc',
      filter: 'bitaxe',
      offset: '5',
      limit: '10',
    });
  });

  it('escapes ids in paths and posts JSON bodies', async () => {
    const client = new ControlClient({ baseUrl: agent.url, token: 's3cret' });
    const done = await client.repointMiner('farm1.rig-0001', {
      url: 'stratum+tcp://10.0.0.1:3333',
      user: 'a.b',
    });
    expect(done).toEqual({ ok: true, value: { ok: true } });
    expect(agent.posts('/api/v1/miners/farm1.rig-0001/repoint')[0]?.body).toEqual({
      url: 'stratum+tcp://10.0.0.1:3333',
      user: 'a.b',
    });
    const missing = await client.miner('no such/miner');
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.error).toMatchObject({ code: 'HTTP_ERROR', status: 404, agentCode: 'NOT_FOUND' });
    expect(agent.requests.at(-1)?.path).toBe('/api/v1/miners/no%20such%2Fminer');
  });

  it('an address without a scheme is taken as http', async () => {
    const client = new ControlClient({ baseUrl: agent.url.replace('http://', ''), token: 's3cret' });
    expect(client.baseUrl).toBe(agent.url);
    expect((await client.summary()).ok).toBe(true);
  });

  it('a wrong token is UNAUTHORIZED with a message that names --token', async () => {
    const result = await new ControlClient({ baseUrl: agent.url, token: 'wrong' }).summary();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UNAUTHORIZED');
    expect(result.error.message).toContain('--token');
  });

  it('a closed port is UNREACHABLE, not a throw', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const result = await new ControlClient({ baseUrl: `http://127.0.0.1:${port}` }).health();
    expect(result).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
    if (!result.ok) expect(result.error.message).toContain('ECONNREFUSED');
  });

  it('an agent that does not answer in time is a TIMEOUT', async () => {
    const slow = await new ContractServer({ delayMs: 2_000 }).start();
    const result = await new ControlClient({ baseUrl: slow.url, timeoutMs: 100 }).summary();
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    await slow.stop();
  });

  it('a degraded health (503) is still an answer', async () => {
    const degraded = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ status: 'degraded', version: '0.1.0', uptimeS: 5, checks: { upstream: 'down' } }),
      );
    });
    await new Promise<void>((r) => degraded.listen(0, '127.0.0.1', r));
    const port = (degraded.address() as AddressInfo).port;
    const result = await new ControlClient({ baseUrl: `http://127.0.0.1:${port}` }).health();
    expect(result).toMatchObject({ ok: true, value: { status: 'degraded', checks: { upstream: 'down' } } });
    await new Promise<void>((r) => degraded.close(() => r()));
  });

  it('an answer that is not JSON is BAD_RESPONSE', async () => {
    const html = createServer((_req, res) => res.end('<html>proxy login</html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const port = (html.address() as AddressInfo).port;
    const result = await new ControlClient({ baseUrl: `http://127.0.0.1:${port}` }).summary();
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_RESPONSE' } });
    await new Promise<void>((r) => html.close(() => r()));
  });
});
