import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsBatch } from '@farmhand/core/stats';
import { STATS_FRAME } from '@farmhand/core/stats';
import { encodeFrame } from '@farmhand/core/uplink';
import { connect } from 'node:net';
import { parseMetawriterConfig } from '../../pool/src/metawriter/config.js';
import { startMetawriter, type RunningMetawriter } from '../../pool/src/metawriter/metawriter.js';
import { StatsLinkClient } from '../../pool/src/metawriter/stats-link-client.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const M = 1_700_000_040;
const log = pino({ level: 'silent' });

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
  redis.on('error', () => {}); // the backpressure test stops Redis on purpose
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

function config(port = 0) {
  const c = parseMetawriterConfig({
    listen: { host: '127.0.0.1', port },
    redis: { url: server.url },
    logLevel: 'fatal',
  });
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

function shares(seq: number, accepted: number): StatsBatch {
  return {
    source: 'gw-a',
    seq,
    host: 'gw-a.local',
    coin: 'btc',
    records: [
      {
        kind: 'share',
        minute: M,
        user: 'alice',
        worker: 'rig1',
        accepted,
        rejected: 0,
        pow: accepted * 16,
        goal: 0,
      },
    ],
  };
}

describe('metawriter stats link (uplink frames over TCP)', () => {
  it('acks each batch after Redis has it, and acks a resend as a duplicate', async () => {
    await redis.flushall();
    const mw = await startMetawriter(config(), log);
    const link = await StatsLinkClient.connect('127.0.0.1', mw.address.port);
    const r1 = await link.send(shares(1, 3));
    expect(r1.ok && r1.value).toEqual({ source: 'gw-a', seq: 1, outcome: 'applied' });
    expect(await redis.hget('btc:s:alice:rig1', String(M))).toBe('3');
    const again = await link.send(shares(1, 3));
    expect(again.ok && again.value.outcome).toBe('duplicate');
    expect(await redis.hget('btc:s:alice:rig1', String(M))).toBe('3');
    link.close();
    await mw.stop();
  });

  it('nacks an invalid batch without retry and keeps serving the connection', async () => {
    await redis.flushall();
    const mw = await startMetawriter(config(), log);
    const link = await StatsLinkClient.connect('127.0.0.1', mw.address.port);
    const bad = await link.send({ ...shares(2, 1), coin: 'has space' });
    expect(bad.ok).toBe(false);
    expect(bad.nack?.code).toBe('BATCH_INVALID');
    expect(bad.nack?.retry).toBe(false);
    expect(bad.nack?.message).toContain('batch.coin');
    const good = await link.send(shares(3, 2));
    expect(good.ok).toBe(true);
    link.close();
    await mw.stop();
  });

  it('refuses a peer outside the trust list', async () => {
    const c = parseMetawriterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      redis: { url: server.url },
      trust: ['10.9.9.9'],
      alert: { host: 'mw1', addr: '127.0.0.1:10000' },
    });
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.alert).toEqual({ host: 'mw1', target: { host: '127.0.0.1', port: 10000 } });
    const mw = await startMetawriter(c.value, log);
    const link = await StatsLinkClient.connect('127.0.0.1', mw.address.port);
    const r = await link.send(shares(1, 1));
    expect(r.ok ? '' : r.error.code).toBe('LINK_DOWN');
    await mw.stop();
  });

  it('closes a connection that sends a broken frame', async () => {
    const mw = await startMetawriter(config(), log);
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect(mw.address.port, '127.0.0.1', () => {
        const f = encodeFrame({ type: STATS_FRAME.BATCH, seq: 1, body: new TextEncoder().encode('{}') });
        f[f.length - 1]! ^= 0xff; // break the CRC
        s.write(f);
      });
      s.on('close', () => resolve(true));
      s.on('error', () => {});
    });
    expect(closed).toBe(true);
    await mw.stop();
  });

  it('survives a metawriter restart mid-run: the sender resends what was not acked, nothing doubles', async () => {
    await redis.flushall();
    let mw: RunningMetawriter = await startMetawriter(config(), log);
    const port = mw.address.port;
    let link = await StatsLinkClient.connect('127.0.0.1', port);
    // The sender's spool: every batch stays until acked.
    const unacked = new Map<number, StatsBatch>();
    const sendAll = async (l: StatsLinkClient, batches: StatsBatch[]): Promise<void> => {
      await Promise.all(
        batches.map(async (b) => {
          const r = await l.send(b);
          if (r.ok) unacked.delete(b.seq);
        }),
      );
    };
    const batches = Array.from({ length: 40 }, (_, i) => shares(100 + i, 1));
    for (const b of batches) unacked.set(b.seq, b);
    const first = sendAll(link, batches);
    // Stop the metawriter while batches are in flight (it drains what it accepted, then exits).
    await new Promise((r) => setTimeout(r, 5));
    await mw.stop();
    await first;
    mw = await startMetawriter(config(port), log);
    link = await StatsLinkClient.connect('127.0.0.1', port);
    // Replay everything not acked, plus some that were acked (a sender may not have seen the ack).
    await sendAll(link, [...unacked.values(), ...batches.slice(0, 5)]);
    expect(unacked.size).toBe(0);
    expect(await redis.hget('btc:s:alice:rig1', String(M))).toBe('40');
    expect(await redis.hget('btc:p:alice', String(M))).toBe('640');
    link.close();
    await mw.stop();
  });
});

describe('stats link backpressure', () => {
  it('holds at most maxInFlightPerConnection batches per connection while Redis is away', async () => {
    await redis.flushall();
    const c = parseMetawriterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      redis: { url: server.url },
      maxInFlightPerConnection: 2,
    });
    if (!c.ok) throw new Error(c.error.message);
    const mw = await startMetawriter(c.value, log);
    const link = await StatsLinkClient.connect('127.0.0.1', mw.address.port);
    await server.kill();
    const sent = Array.from({ length: 10 }, (_, i) => link.send(shares(500 + i, 1)));
    await new Promise((r) => setTimeout(r, 300));
    expect(mw.writer.counts.backlog).toBe(2);
    await server.start();
    const results = await Promise.all(sent);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(await redis.hget('btc:s:alice:rig1', String(M))).toBe('10');
    link.close();
    await mw.stop();
  });
});

describe('stats link frames (docs/redis-format.md vectors)', () => {
  it('encodes the documented ACK frame byte for byte', async () => {
    const { encodeAck } = await import('@farmhand/core/stats');
    const frame = encodeFrame({
      type: STATS_FRAME.ACK,
      seq: 7,
      body: encodeAck({ source: 'gw1', seq: 7, outcome: 'applied' }),
    });
    expect(Buffer.from(frame).toString('hex')).toBe(
      '4648555001310000000000070000002c55d2cdd8' +
        '7b22736f75726365223a22677731222c22736571223a372c226f7574636f6d65223a226170706c696564227d',
    );
  });
});
