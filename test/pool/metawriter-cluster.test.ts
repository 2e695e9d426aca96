import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsBatch } from '@farmhand/core/stats';
import { connectRedis } from '../../pool/src/metawriter/redis-connection.js';
import { ClusterSink } from '../../pool/src/metawriter/redis-sink.js';
import { StatsWriter } from '../../pool/src/metawriter/stats-writer.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const M = 1_700_000_100;
let server: RedisServer;
let redis: Redis;
let cluster: Cluster;

beforeAll(async () => {
  server = await startRedis({ cluster: true });
  redis = new Redis(server.port, '127.0.0.1');
  const c = connectRedis({ cluster: [server.url] });
  if (c.kind !== 'cluster') throw new Error('expected a cluster client');
  cluster = c.client;
  cluster.on('error', () => {});
  await new Promise<void>((resolve) => cluster.once('ready', () => resolve()));
});

afterAll(async () => {
  cluster.disconnect();
  redis.disconnect();
  await server.stop();
});

const batch: StatsBatch = {
  source: 'gw-c',
  seq: 5,
  host: 'gw-c',
  coin: 'btc',
  records: [
    { kind: 'share', minute: M, user: 'bob', worker: 'w1', accepted: 4, rejected: 1, pow: 64, goal: 0.25 },
    { kind: 'monitor_int', minute: M, key: 'share', value: 4 },
    { kind: 'connection', user: 'bob', worker: 'w1', peer: '127.0.0.1', event: 'connected' },
  ],
};

describe('metawriter on Redis Cluster (one node owning every slot)', () => {
  it('writes the same keys as standalone, across slots, and catches a replay by its marker', async () => {
    const w1 = new StatsWriter(new ClusterSink(cluster), { now: () => M + 120 });
    expect(await w1.submit(batch)).toEqual({ ok: true, value: 'applied' });
    // A second writer (a restart) has no memory of the batch; the marker in Redis catches it.
    const w2 = new StatsWriter(new ClusterSink(cluster), { now: () => M + 120 });
    expect(await w2.submit(batch)).toEqual({ ok: true, value: 'duplicate' });
    expect(await redis.hgetall('btc:s:bob')).toEqual({ [M]: '4' });
    expect(await redis.hgetall('btc:s:bob:w1')).toEqual({ [M]: '4' });
    expect(await redis.hgetall('btc:s:bob:w1:reject')).toEqual({ [M]: '1' });
    expect(await redis.hgetall('btc:p:bob:w1')).toEqual({ [M]: '64' });
    expect(await redis.hgetall('btc:g:bob')).toEqual({ [M]: '0.25' });
    expect(await redis.hgetall('btc:mh:gw-c:share')).toEqual({ [M]: '4' });
    expect(await redis.smembers('btc:mk:share')).toEqual(['gw-c']);
    expect(await redis.lrange('newworker', 0, -1)).toEqual(['{"user":"bob","worker":"w1","coin":"btc"}']);
    expect(await redis.ttl('metawriter:batch:gw-c:5')).toBeGreaterThan(0);
  });
});
