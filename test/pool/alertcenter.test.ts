import { Redis } from 'ioredis';
import { connect } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAlertLine, SEED_ALERT_MAGIC } from '../../pool/src/alertcenter/alert-line.js';
import { AlertSender, fatalToAlertcenter } from '../../pool/src/alertcenter/alert-sender.js';
import { startAlertcenter } from '../../pool/src/alertcenter/alertcenter.js';
import { parseAlertcenterConfig } from '../../pool/src/alertcenter/config.js';
import { RateLimiter } from '../../pool/src/alertcenter/rate-limiter.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const log = pino({ level: 'silent' });
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

beforeEach(async () => {
  await redis.flushall();
});

function config(extra: Record<string, unknown> = {}) {
  const c = parseAlertcenterConfig({
    listen: { host: '127.0.0.1', port: 0 },
    redis: { url: server.url },
    ...extra,
  });
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

describe('alert lines', () => {
  it('reads host and message, with or without the seed magic, and falls back to the peer', () => {
    expect(parseAlertLine('gw1: redis down\r\n', '10.0.0.1', 100)).toEqual({
      host: 'gw1',
      message: 'redis down',
    });
    expect(parseAlertLine(`${SEED_ALERT_MAGIC}jm: x: y`, 'p', 100)).toEqual({ host: 'jm', message: 'x: y' });
    expect(parseAlertLine('no host here', '10.0.0.1', 100)).toEqual({
      host: '10.0.0.1',
      message: 'no host here',
    });
    expect(parseAlertLine('  \r', 'p', 100)).toBeUndefined();
    expect(parseAlertLine('h: ' + 'x'.repeat(200), 'p', 50)?.message).toHaveLength(47);
  });

  it('rate limits per host per minute and summarizes the excess once the minute is over', () => {
    const rl = new RateLimiter({ perMinute: 2, maxHosts: 10 });
    const t = 1_700_000_040;
    const a = { host: 'gw1', message: 'm' };
    expect([rl.admit(a, t), rl.admit(a, t + 1), rl.admit(a, t + 2), rl.admit(a, t + 3)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(rl.admit({ host: 'gw2', message: 'm' }, t + 4)).toBe(true);
    expect(rl.takeSummaries(t + 59)).toEqual([]);
    // The next minute: gw1 may send again, and its previous minute is summarized.
    expect(rl.admit(a, t + 61)).toBe(true);
    const s = rl.takeSummaries(t + 61);
    expect(s).toHaveLength(1);
    expect(s[0]?.host).toBe('gw1');
    expect(s[0]?.message).toContain('2 more alert(s) suppressed');
  });
});

describe('alertcenter against a real redis-server', () => {
  it('pushes UDP and TCP lines to alert:message as "<host>: <message>"', async () => {
    const ac = await startAlertcenter(config(), log);
    const sender = new AlertSender('gateway-1', { host: '127.0.0.1', port: ac.port });
    sender.send('redis unreachable for 60 s');
    await until(async () => (await redis.llen('alert:message')) === 1);
    await new Promise<void>((resolve) => {
      const s = connect(ac.port, '127.0.0.1', () =>
        s.end(`${SEED_ALERT_MAGIC}jobmaster: submitblock failed\n`),
      );
      s.on('close', () => resolve());
    });
    await until(async () => (await redis.llen('alert:message')) === 2);
    expect(await redis.lrange('alert:message', 0, -1)).toEqual([
      'gateway-1: redis unreachable for 60 s',
      'jobmaster: submitblock failed',
    ]);
    sender.close();
    await ac.stop();
  });

  it('lets at most N per host per minute through and reports how many were held back', async () => {
    let now = 1_700_000_040;
    const ac = await startAlertcenter(config({ perHostPerMinute: 3, udp: false }), log, { now: () => now });
    await new Promise<void>((resolve) => {
      const s = connect(ac.port, '127.0.0.1', () => {
        const lines = Array.from({ length: 10 }, (_, i) => `flappy: crash ${i}\n`).join('');
        s.end(lines + 'calm: one\n');
      });
      s.on('close', () => resolve());
    });
    await until(async () => (await redis.llen('alert:message')) === 4);
    now += 60;
    ac.summarize();
    await until(async () => (await redis.llen('alert:message')) === 5);
    const list = await redis.lrange('alert:message', 0, -1);
    expect(list.slice(0, 4)).toEqual(['flappy: crash 0', 'flappy: crash 1', 'flappy: crash 2', 'calm: one']);
    expect(list[4]).toMatch(/^flappy: alertcenter: 7 more alert\(s\) suppressed \(limit 3 per minute/);
    await ac.stop();
  });

  it('keeps alerts queued while Redis is down and pushes them when it is back', async () => {
    const ac = await startAlertcenter(config(), log);
    await server.kill();
    const sender = new AlertSender('gw9', { host: '127.0.0.1', port: ac.port });
    sender.send('first');
    sender.send('second');
    await until(async () => ac.pusher.counts.queued + ac.pusher.counts.pushed >= 2);
    expect(ac.pusher.counts.pushed).toBe(0);
    await server.start();
    await until(async () => (await redis.llen('alert:message').catch(() => 0)) === 2);
    expect(await redis.lrange('alert:message', 0, -1)).toEqual(['gw9: first', 'gw9: second']);
    sender.close();
    await ac.stop();
  });

  it('receives the FATAL lines of a role whose pino logger is pointed at it, and only those', async () => {
    const ac = await startAlertcenter(config(), log);
    const sender = new AlertSender('metawriter-1', { host: '127.0.0.1', port: ac.port });
    const roleLog = pino({ level: 'info', hooks: fatalToAlertcenter(sender) }, { write: () => {} });
    roleLog.error('only an error');
    roleLog.fatal({ err: 'ECONNREFUSED' }, 'redis write failed 60 times');
    await until(async () => (await redis.llen('alert:message')) >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(await redis.lrange('alert:message', 0, -1)).toEqual([
      'metawriter-1: redis write failed 60 times (ECONNREFUSED)',
    ]);
    sender.close();
    await ac.stop();
  });

  it('refuses a config with a clear message', () => {
    const r = parseAlertcenterConfig({
      listen: { host: '127.0.0.1', port: 10000 },
      redis: { url: 'localhost' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('config.redis.url: expected a redis://host:port URL');
  });
});
