import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StatsBatch } from '@farmhand/core/stats';
import { StandaloneSink } from '../../pool/src/metawriter/redis-sink.js';
import { StatsWriter, type StatsWriterOptions } from '../../pool/src/metawriter/stats-writer.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const M = 1_482_252_540; // a minute start from the seed's example
const HASH = '0000000000000000032aee4bb112977ae8f4fb3614e0df196893285aa9c2adc0';

function batch(seq: number, records: StatsBatch['records'], source = 'gw1'): StatsBatch {
  return { source, seq, host: '192.168.2.17', coin: 'btc', records };
}

const sample = batch(1, [
  {
    kind: 'share',
    minute: M,
    user: 'haiyang',
    worker: 'example',
    accepted: 10,
    rejected: 2,
    pow: 10240,
    goal: 1.5e-9,
  },
  {
    kind: 'share',
    minute: M,
    user: 'haiyang',
    worker: 'rig2',
    accepted: 5,
    rejected: 0,
    pow: 5120,
    goal: 0.75e-9,
  },
  {
    kind: 'share',
    minute: M + 60,
    user: 'haiyang',
    worker: 'example',
    accepted: 1,
    rejected: 0,
    pow: 1024,
    goal: 0,
  },
  { kind: 'monitor_int', minute: M, key: 'share', value: 15 },
  { kind: 'monitor_int', minute: M, key: 'reject_23', value: 2 },
  { kind: 'monitor_float', minute: M, key: 'goal', value: 2.25e-9 },
  { kind: 'block', user: 'haiyang', worker: 'example', name: 'BTC', hash: HASH },
  { kind: 'connection', user: 'haiyang', worker: 'example', peer: '127.0.0.1', event: 'connected' },
  { kind: 'connection', user: 'haiyang', worker: 'example', peer: '127.0.0.1', event: 'disconnected' },
  { kind: 'connection', user: 'haiyang', worker: 'example', peer: '127.0.0.1', event: 'connected' },
]);

let server: RedisServer;
let redis: Redis;
const writers: StatsWriter[] = [];

function writer(opts: Partial<StatsWriterOptions> = {}): StatsWriter {
  const client = new Redis(server.port, '127.0.0.1', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => 50,
    lazyConnect: false,
  });
  client.on('error', () => {});
  const w = new StatsWriter(new StandaloneSink(client), {
    retryMinMs: 20,
    retryMaxMs: 100,
    now: () => M + 120,
    ...opts,
  });
  writers.push(w);
  (w as unknown as { client: Redis }).client = client;
  return w;
}

async function closeAll(): Promise<void> {
  for (const w of writers.splice(0)) {
    await w.close();
    (w as unknown as { client: Redis }).client.disconnect();
  }
}

beforeAll(async () => {
  server = await startRedis({ persistent: true });
  redis = new Redis(server.port, '127.0.0.1', { retryStrategy: () => 50 });
  redis.on('error', () => {});
});

afterAll(async () => {
  await closeAll();
  redis.disconnect();
  await server.stop();
});

beforeEach(async () => {
  await closeAll();
  await redis.flushall();
});

async function expectSampleWrittenOnce(): Promise<void> {
  expect(await redis.hgetall('btc:s:haiyang')).toEqual({ [M]: '15', [M + 60]: '1' });
  expect(await redis.hgetall('btc:s:haiyang:example')).toEqual({ [M]: '10', [M + 60]: '1' });
  expect(await redis.hgetall('btc:s:haiyang:rig2')).toEqual({ [M]: '5' });
  expect(await redis.hgetall('btc:s:haiyang:reject')).toEqual({ [M]: '2' });
  expect(await redis.hgetall('btc:s:haiyang:example:reject')).toEqual({ [M]: '2' });
  expect(await redis.exists('btc:s:haiyang:rig2:reject')).toBe(0);
  expect(await redis.hgetall('btc:p:haiyang')).toEqual({ [M]: '15360', [M + 60]: '1024' });
  expect(await redis.hgetall('btc:p:haiyang:example')).toEqual({ [M]: '10240', [M + 60]: '1024' });
  expect(await redis.hgetall('btc:g:haiyang')).toEqual({ [M]: '0.00000000225' });
  expect(await redis.exists('btc:g:haiyang:example')).toBe(0);
  expect(await redis.hgetall('btc:m:share')).toEqual({ [M]: '15' });
  expect(await redis.hgetall('btc:mh:192.168.2.17:share')).toEqual({ [M]: '15' });
  expect(await redis.hgetall('btc:m:reject_23')).toEqual({ [M]: '2' });
  expect(await redis.hgetall('btc:m:goal')).toEqual({ [M]: '0.00000000225' });
  expect(await redis.hgetall('btc:mh:192.168.2.17:goal')).toEqual({ [M]: '0.00000000225' });
  expect((await redis.smembers('monitor:keys')).sort()).toEqual([
    'btc:m:goal',
    'btc:m:reject_23',
    'btc:m:share',
  ]);
  expect(await redis.smembers('btc:mk:share')).toEqual(['192.168.2.17']);
  expect((await redis.smembers('mining:keys')).sort()).toEqual(
    [
      'btc:g:haiyang',
      'btc:p:haiyang',
      'btc:p:haiyang:example',
      'btc:p:haiyang:rig2',
      'btc:s:haiyang',
      'btc:s:haiyang:example',
      'btc:s:haiyang:example:reject',
      'btc:s:haiyang:reject',
      'btc:s:haiyang:rig2',
    ].sort(),
  );
  expect((await redis.lrange('newblock', 0, -1)).map((s) => JSON.parse(s))).toEqual([
    { user: 'haiyang', worker: 'example', name: 'BTC', hash: HASH },
  ]);
  expect(await redis.lrange('newevent', 0, -1)).toEqual([
    '{"user":"haiyang","worker":"example","coin":"btc","peer":"127.0.0.1","event":"connected"}',
    '{"user":"haiyang","worker":"example","coin":"btc","peer":"127.0.0.1","event":"disconnected"}',
    '{"user":"haiyang","worker":"example","coin":"btc","peer":"127.0.0.1","event":"connected"}',
  ]);
  // Two connects, one announcement: newworker is deduplicated per worker per hour.
  expect(await redis.lrange('newworker', 0, -1)).toEqual([
    '{"user":"haiyang","worker":"example","coin":"btc"}',
  ]);
  expect(await redis.ttl('btc:s:haiyang')).toBe(-1);
}

describe('metawriter core against a real redis-server', () => {
  it('writes every key, field and list of the seed format', async () => {
    const w = writer();
    expect(await w.submit(sample)).toEqual({ ok: true, value: 'applied' });
    await expectSampleWrittenOnce();
    expect(await redis.ttl('metawriter:batch:gw1:1')).toBeGreaterThan(0);
  });

  it('answers a replayed batch as a duplicate and writes nothing twice, also after a restart', async () => {
    const w1 = writer();
    expect(await w1.submit(sample)).toEqual({ ok: true, value: 'applied' });
    expect(await w1.submit(sample)).toEqual({ ok: true, value: 'duplicate' });
    await closeAll();
    // A fresh writer has an empty memory: the marker in Redis catches the replay.
    const w2 = writer();
    expect(await w2.submit(sample)).toEqual({ ok: true, value: 'duplicate' });
    await expectSampleWrittenOnce();
  });

  it('answers both copies of a batch resent while the first is still pending', async () => {
    const w = writer();
    const [a, b] = await Promise.all([w.submit(sample), w.submit(sample)]);
    expect([a, b]).toEqual([
      { ok: true, value: 'applied' },
      { ok: true, value: 'applied' },
    ]);
    await expectSampleWrittenOnce();
  });

  it('sums batches from several gateways into the same minute field', async () => {
    const w = writer();
    const one = (source: string, seq: number): StatsBatch =>
      batch(
        seq,
        [{ kind: 'share', minute: M, user: 'u1', worker: 'w1', accepted: 3, rejected: 1, pow: 48, goal: 0 }],
        source,
      );
    const results = await Promise.all([
      w.submit(one('gw1', 7)),
      w.submit(one('gw2', 7)),
      w.submit(one('gw1', 8)),
    ]);
    expect(results.every((r) => r.ok && r.value === 'applied')).toBe(true);
    expect(await redis.hgetall('btc:s:u1:w1')).toEqual({ [M]: '9' });
    expect(await redis.hgetall('btc:p:u1')).toEqual({ [M]: '144' });
    expect(await redis.hgetall('btc:s:u1:w1:reject')).toEqual({ [M]: '3' });
  });

  it('keeps the backlog while Redis is down and flushes it once Redis is back, nothing lost or doubled', async () => {
    const events: string[] = [];
    const w = writer({ onEvent: (e) => events.push(e.type) });
    expect(await w.submit(sample)).toEqual({ ok: true, value: 'applied' });
    await server.kill();
    const pending = [];
    for (let seq = 100; seq < 110; seq++) {
      pending.push(
        w.submit(
          batch(seq, [
            {
              kind: 'share',
              minute: M,
              user: 'haiyang',
              worker: 'rig2',
              accepted: 1,
              rejected: 0,
              pow: 1,
              goal: 0,
            },
          ]),
        ),
      );
    }
    // Nothing is acknowledged while Redis is away.
    let settled = 0;
    for (const p of pending) void p.then(() => settled++);
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(0);
    expect(w.counts.backlog).toBe(10);
    await server.start();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.ok && r.value === 'applied')).toBe(true);
    expect(events).toContain('redis_error');
    expect(events).toContain('redis_recovered');
    // The batch written before the crash survived (fsync always) and the backlog landed exactly once.
    expect(await redis.hgetall('btc:s:haiyang:rig2')).toEqual({ [M]: '15' });
    expect(await redis.hgetall('btc:s:haiyang')).toEqual({ [M]: '25', [M + 60]: '1' });
    // A replay of the pre-crash batch is still caught by its marker.
    expect(await w.submit({ ...sample })).toEqual({ ok: true, value: 'duplicate' });
  });

  it('refuses new batches beyond the backlog limit so the sender keeps them', async () => {
    const w = writer({ maxBacklogBatches: 2 });
    await server.kill();
    const a = w.submit(batch(1, []));
    const b = w.submit(batch(2, []));
    const c = await w.submit(batch(3, []));
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error.code).toBe('BACKLOG_FULL');
    await server.start();
    expect(await a).toEqual({ ok: true, value: 'applied' });
    expect(await b).toEqual({ ok: true, value: 'applied' });
  });
});
