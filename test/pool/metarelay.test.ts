// The metarelay between gateways' stats senders and a real metawriter + redis-server: ACK only after
// the batch is on the relay's disk, spooling while the metawriter is away, replay after a relay restart,
// and exactly-once totals in Redis whatever is resent.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatsBatch } from '@farmhand/core/stats';
import { parseMetawriterConfig } from '../../pool/src/metawriter/config.js';
import { startMetawriter, type RunningMetawriter } from '../../pool/src/metawriter/metawriter.js';
import { StatsLinkClient } from '../../pool/src/metawriter/stats-link-client.js';
import { parseMetarelayConfig } from '../../pool/src/metarelay/config.js';
import { startMetarelay, type RunningMetarelay } from '../../pool/src/metarelay/metarelay.js';
import { StatsSender, StatsSpool } from '../../pool/src/stats-link/index.js';
import { freePort, startRedis, type RedisServer } from '../support/redis.js';

const M = 1_700_000_040;
const POOL_BIN = fileURLToPath(new URL('../../pool/bin/farmhand-pool.js', import.meta.url));
const log = pino({ level: 'silent' });

let server: RedisServer;
let redis: Redis;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-relay-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function until(f: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metawriter(port: number): Promise<RunningMetawriter> {
  const c = parseMetawriterConfig({ listen: { host: '127.0.0.1', port }, redis: { url: server.url } });
  if (!c.ok) throw new Error(c.error.message);
  const mw = await startMetawriter(c.value, log);
  let stopped = false;
  cleanup.push(() => (stopped ? undefined : mw.stop()));
  return {
    ...mw,
    stop: async () => {
      stopped = true;
      await mw.stop();
    },
  };
}

async function relay(port: number, mwPort: number, dir: string): Promise<RunningMetarelay> {
  const c = parseMetarelayConfig({
    name: 'relay-test',
    listen: { host: '127.0.0.1', port },
    metawriter: `127.0.0.1:${mwPort}`,
    spool: { dir },
    logLevel: 'silent',
  });
  if (!c.ok) throw new Error(c.error.message);
  const r = await startMetarelay(c.value, log);
  let stopped = false;
  cleanup.push(() => (stopped ? undefined : r.stop()));
  return {
    ...r,
    stop: async () => {
      stopped = true;
      await r.stop();
    },
  };
}

/** A gateway's stats side as the gateway has it: its disk spool and sender, pointed at the relay. */
function gatewaySender(source: string, relayPort: number) {
  const spool = new StatsSpool(tempDir(), 1 << 24);
  const sender = new StatsSender(spool, {
    host: '127.0.0.1',
    port: relayPort,
    logger: log,
    minBackoffMs: 50,
    maxBackoffMs: 200,
  });
  sender.start();
  cleanup.push(() => {
    sender.close();
    spool.close();
  });
  let total = 0;
  return {
    spool,
    get total() {
      return total;
    },
    /** One batch of `accepted` shares for alice.rig1 (and source-named worker). */
    send(accepted: number): void {
      const seq = spool.takeSeq();
      spool.append(batch(source, seq, accepted));
      total += accepted;
      sender.pump();
    },
  };
}

function batch(source: string, seq: number, accepted: number): StatsBatch {
  return {
    source,
    seq,
    host: `${source}.local`,
    coin: 'btc',
    records: [
      {
        kind: 'share',
        minute: M,
        user: 'alice',
        worker: source,
        accepted,
        rejected: 0,
        pow: accepted,
        goal: 0,
      },
    ],
  };
}

async function inRedis(worker: string): Promise<number> {
  return Number((await redis.hget(`btc:s:alice:${worker}`, String(M))) ?? 0);
}

describe('metarelay', () => {
  it('forwards batches from two gateways to the metawriter with their ids unchanged', async () => {
    await redis.flushall();
    const mwPort = await freePort();
    await metawriter(mwPort);
    const r = await relay(0, mwPort, tempDir());
    const a = gatewaySender('gw-a', r.address.port);
    const b = gatewaySender('gw-b', r.address.port);
    for (let i = 1; i <= 20; i++) {
      a.send(i);
      b.send(2 * i);
    }
    await until(async () => (await inRedis('gw-b')) === b.total, 'gw-b totals in redis');
    await until(async () => (await inRedis('gw-a')) === a.total, 'gw-a totals in redis');
    expect(await inRedis('gw-a')).toBe(210);
    expect(await inRedis('gw-b')).toBe(420);
    // The metawriter's duplicate markers name the gateways' own (source, seq), not the relay.
    const markers = await redis.keys('*gw-a*');
    expect(markers.some((k) => !k.startsWith('btc:'))).toBe(true);
    await until(() => a.spool.pending === 0 && r.spool.pending === 0, 'spools empty');
  });

  it('acks gateways while the metawriter is down, spools, and replays once it is back', async () => {
    await redis.flushall();
    const mwPort = await freePort();
    const r = await relay(0, mwPort, tempDir());
    const a = gatewaySender('gw-a', r.address.port);
    for (let i = 0; i < 30; i++) a.send(1);
    // The gateway may forget the batches: they are on the relay's disk.
    await until(() => a.spool.pending === 0, 'gateway spool drained into the relay');
    expect(r.spool.pending).toBe(30);
    expect(await inRedis('gw-a')).toBe(0);

    const mw = await metawriter(mwPort);
    await until(() => r.spool.pending === 0, 'relay spool replayed');
    expect(await inRedis('gw-a')).toBe(30);

    // Metawriter down again mid-stream, then back: nothing lost, nothing doubled.
    await mw.stop();
    for (let i = 0; i < 10; i++) a.send(3);
    await until(() => a.spool.pending === 0 && r.spool.pending === 10, 'ten batches held by the relay');
    await metawriter(mwPort);
    await until(() => r.spool.pending === 0, 'relay spool replayed again');
    expect(await inRedis('gw-a')).toBe(60);
  });

  it('a relay restart keeps its spool; a gateway spools while the relay is away', async () => {
    await redis.flushall();
    const mwPort = await freePort();
    const relayPort = await freePort();
    const dir = tempDir();
    let r = await relay(relayPort, mwPort, dir);
    const a = gatewaySender('gw-a', relayPort);
    for (let i = 0; i < 15; i++) a.send(2);
    await until(
      () => r.spool.pending === 15 && a.spool.pending === 0,
      'relay holds 15 (metawriter not started yet), the gateway none',
    );
    await r.stop();

    // Relay away: the gateway keeps what it sends now.
    for (let i = 0; i < 5; i++) a.send(4);
    await new Promise((res) => setTimeout(res, 200));
    expect(a.spool.pending).toBe(5);

    await metawriter(mwPort);
    r = await relay(relayPort, mwPort, dir);
    expect(r.intake.pending).toBeGreaterThanOrEqual(15);
    await until(() => a.spool.pending === 0 && r.spool.pending === 0, 'both spools drained');
    expect(await inRedis('gw-a')).toBe(50);
  });

  it('a resent batch is spooled once while pending and counted once after it was forwarded', async () => {
    await redis.flushall();
    const mwPort = await freePort();
    const r = await relay(0, mwPort, tempDir());
    const link = await StatsLinkClient.connect('127.0.0.1', r.address.port);
    cleanup.push(() => link.close());
    const first = await link.send(batch('gw-x', 7, 5));
    expect(first.ok).toBe(true);
    const again = await link.send(batch('gw-x', 7, 5)); // the gateway never saw the first ACK
    expect(again.ok).toBe(true);
    expect(r.spool.pending).toBe(1);
    expect(r.intake.resends).toBe(1);

    await metawriter(mwPort);
    await until(() => r.spool.pending === 0, 'forwarded');
    // Resent after it left the relay: the relay forwards it, the metawriter suppresses it.
    expect((await link.send(batch('gw-x', 7, 5))).ok).toBe(true);
    await until(() => r.spool.pending === 0 && r.sender.acked === 2, 'second copy acked by the metawriter');
    expect(await inRedis('gw-x')).toBe(5);
  });

  it('refuses a bad config with the key named', () => {
    const c = parseMetarelayConfig({ name: 'r', listen: { host: '127.0.0.1', port: 1 }, metawriter: 'nope' });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.error.message).toMatch(/config\.metawriter: expected "host:port"/);
      expect(c.error.message).toMatch(/config\.spool/);
    }
  });

  it('as a process: kill -9 after acking the gateway loses nothing (needs npx tsc -b)', async () => {
    await redis.flushall();
    const mwPort = await freePort();
    const relayPort = await freePort();
    const dir = tempDir();
    const config = join(dir, 'metarelay.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'relay-proc',
        listen: { host: '127.0.0.1', port: relayPort },
        metawriter: `127.0.0.1:${mwPort}`,
        spool: { dir: join(dir, 'spool') },
        logLevel: 'error',
      }),
    );
    const start = async (): Promise<ChildProcess> => {
      const c = spawn(process.execPath, [POOL_BIN, 'metarelay', '--config', config], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      cleanup.push(() => {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      });
      await until(
        () =>
          new Promise<boolean>((r) => {
            const s = connect(relayPort, '127.0.0.1');
            s.once('connect', () => (s.destroy(), r(true)));
            s.once('error', () => r(false));
          }),
        'the relay listening',
      );
      return c;
    };
    const first = await start();
    const a = gatewaySender('gw-a', relayPort);
    for (let i = 0; i < 25; i++) a.send(2);
    await until(() => a.spool.pending === 0, 'the gateway acked by the relay');
    const gone = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await gone;

    await metawriter(mwPort);
    await start();
    await until(async () => (await inRedis('gw-a')) === 50, 'the relay replayed its spool after the crash');
    await new Promise((r) => setTimeout(r, 300));
    expect(await inRedis('gw-a')).toBe(50);
  });

  it('as a process: a bad config file stops it with exit code 2 and the key named', async () => {
    const dir = tempDir();
    const config = join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({ name: 'r', listen: { host: '127.0.0.1', port: 0 }, metawriter: 'x' }),
    );
    const c = spawn(process.execPath, [POOL_BIN, 'metarelay', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((r) => c.once('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/config\.metawriter: expected "host:port"/);
  });
});
