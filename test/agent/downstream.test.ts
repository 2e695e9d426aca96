import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  difficultyToTarget,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  sha256d,
  targetToBytes,
  writeHeader,
} from '@farmhand/core/bitcoin';
import { parseNotifyParams, stratumPrevhashToHeader, type StratumJob } from '@farmhand/core/stratum';
import { DEFAULT_VARDIFF } from '@farmhand/core/vardiff';
import {
  StratumServer,
  type DisconnectEvent,
  type ShareEvent,
  type StratumServerOptions,
} from '../../agent/src/downstream/index.js';
import { readFixtureJson } from '../support/fixtures.js';

interface Recorded {
  id: string;
  messages: Record<string, string>;
  notify_params: unknown[];
}
const bitaxe = readFixtureJson<Recorded[]>('bitcoin/stratum-sessions.json').find(
  (s) => s.id === 'public-pool-bitaxe-testnet3-2442185',
)!;
const baseJob = ((): StratumJob => {
  const j = parseNotifyParams(bitaxe.notify_params);
  if (!j.ok) throw new Error(j.error.message);
  return j.value;
})();
const job = (jobId: string, cleanJobs = false): StratumJob => ({ ...baseJob, jobId, cleanJobs });

const TINY = 0.00001;
const UPSTREAM = { extranonce1: 'f000000a', extranonce2Size: 8 };

/** A CPU miner: the header from the notify fields, nonces tried until the difficulty is met. */
function mine(j: StratumJob, en1: string, en2: string, difficulty: number) {
  const coinbase = hexToBytes(j.coinb1 + en1 + en2 + j.coinb2);
  const root = rootFromBranch(sha256d(coinbase), j.merkleBranch.map(hexToBytes));
  const prev = stratumPrevhashToHeader(j.prevhash);
  const target = targetToBytes(difficultyToTarget(difficulty));
  const header = new Uint8Array(80);
  for (let nonce = 0; nonce < 0xffffffff; nonce++) {
    writeHeader(
      header,
      parseInt(j.version, 16),
      prev,
      root,
      parseInt(j.ntime, 16),
      parseInt(j.nbits, 16),
      nonce,
    );
    if (hashMeetsTarget(sha256d(header), target))
      return { ntime: j.ntime, nonce: nonce.toString(16).padStart(8, '0') };
  }
  throw new Error('no nonce');
}

interface Msg {
  id?: unknown;
  method?: string;
  params?: unknown[];
  result?: unknown;
  error?: unknown;
}

/** A raw Stratum client over a real socket: sends lines, waits for matching messages. */
class RawClient {
  readonly received: Msg[] = [];
  #buf = '';
  #waiters: (() => void)[] = [];
  closed = false;
  readonly whenClosed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        this.received.push(JSON.parse(this.#buf.slice(0, nl)) as Msg);
        this.#buf = this.#buf.slice(nl + 1);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  send(msg: unknown): void {
    this.socket.write(typeof msg === 'string' ? msg : `${JSON.stringify(msg)}\n`);
  }

  /** The first received message matching, removed from the inbox; waits up to 5 s. */
  async take(match: (m: Msg) => boolean, what = 'message'): Promise<Msg> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (this.closed) throw new Error(`closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  reply(id: number): Promise<Msg> {
    return this.take((m) => m.id === id && m.method === undefined, `reply ${id}`);
  }

  notify(method: string): Promise<Msg> {
    return this.take((m) => m.method === method, method);
  }

  async handshake(user = 'acct.rig1'): Promise<{ en1: string; en2Size: number }> {
    this.send({ id: 1, method: 'mining.subscribe', params: ['raw-test/1.0'] });
    const sub = (await this.reply(1)).result as [unknown, string, number];
    this.send({ id: 2, method: 'mining.authorize', params: [user, 'x'] });
    expect((await this.reply(2)).result).toBe(true);
    return { en1: sub[1], en2Size: sub[2] };
  }

  close(): void {
    this.socket.destroy();
  }
}

const servers: StratumServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(opts: Partial<StratumServerOptions> = {}, work = true) {
  const server = new StratumServer({
    host: '127.0.0.1',
    port: 0,
    vardiff: { ...DEFAULT_VARDIFF, minDifficulty: 1e-8 },
    startDifficulty: TINY,
    logger: pino({ level: 'silent' }),
    ...opts,
  });
  servers.push(server);
  const { port } = await server.listen();
  if (work) server.setWork({ job: job('j1', true), ...UPSTREAM });
  const open = async () => {
    const c = await RawClient.open(port);
    clients.push(c);
    return c;
  };
  return { server, port, open };
}

/** Waits until the condition holds (server-side close events trail the client's close). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const errorCode = (m: Msg) => (m.error as unknown[] | null)?.[0];

describe('StratumServer: a miner from subscribe to shares', () => {
  it('subscribe, configure, authorize, set_difficulty + notify, a mined share, a duplicate, a stale share', async () => {
    const { server, open } = await start();
    const stored: ShareEvent[] = [];
    const events: ShareEvent[] = [];
    server.setShareSink(async (e) => {
      await new Promise((r) => setTimeout(r, 5));
      stored.push(e);
    });
    server.on('share', (e: ShareEvent) => events.push(e));
    const authorized: unknown[] = [];
    server.on('authorize', (e) => authorized.push(e));

    const c = await open();
    c.send({ id: 1, method: 'mining.subscribe', params: ['raw-test/1.0'] });
    const [, en1, en2Size] = (await c.reply(1)).result as [unknown, string, number];
    expect(en1).toBe('f000000a0000');
    expect(en2Size).toBe(6);
    c.send({
      id: 2,
      method: 'mining.configure',
      params: [['version-rolling'], { 'version-rolling.mask': 'ffffffff' }],
    });
    expect((await c.reply(2)).result).toEqual({
      'version-rolling': true,
      'version-rolling.mask': '1fffe000',
    });
    c.send({ id: 3, method: 'mining.authorize', params: ['acct.rig1', 'x'] });
    expect((await c.reply(3)).result).toBe(true);
    expect((await c.notify('mining.set_difficulty')).params).toEqual([TINY]);
    const notify = await c.notify('mining.notify');
    const j1 = parseNotifyParams(notify.params!);
    expect(j1.ok && j1.value.cleanJobs).toBe(true);
    const mined = j1.ok ? j1.value : baseJob;

    const found = mine(mined, en1, '000000000001', TINY);
    const submit = {
      id: 4,
      method: 'mining.submit',
      params: ['acct.rig1', 'j1', '000000000001', found.ntime, found.nonce],
    };
    c.send(submit);
    expect(await c.reply(4)).toEqual({ id: 4, result: true, error: null });
    // Durable before acknowledged: the sink had the share when the miner heard true.
    expect(stored).toHaveLength(1);
    expect(events[0]?.verdict.kind).toBe('accepted');
    expect(events[0]).toMatchObject({
      account: 'acct',
      worker: 'rig1',
      extranonce1: en1,
      extranonce2: '000000000001',
    });
    expect(authorized).toMatchObject([{ account: 'acct', worker: 'rig1' }]);

    c.send({ ...submit, id: 5 });
    expect(errorCode(await c.reply(5))).toBe(22);

    const late = mine(mined, en1, '000000000002', TINY);
    server.setWork({ job: job('j2', true), ...UPSTREAM });
    expect((await c.notify('mining.notify')).params![0]).toBe('j2');
    c.send({
      id: 6,
      method: 'mining.submit',
      params: ['acct.rig1', 'j1', '000000000002', late.ntime, late.nonce],
    });
    expect(errorCode(await c.reply(6))).toBe(21);

    const info = server.sessions()[0]!;
    expect(info).toMatchObject({
      account: 'acct',
      worker: 'rig1',
      userAgent: 'raw-test/1.0',
      accepted: 1,
      rejected: { duplicate: 1, stale: 1 },
    });
    expect(info.hashrate).toBeGreaterThan(0);
    expect(server.stats()).toMatchObject({ sharesAccepted: 1, sharesRejected: { duplicate: 1, stale: 1 } });
  });

  it('a share the sink cannot store is not acknowledged', async () => {
    const { server, open } = await start();
    server.setShareSink(() => {
      throw new Error('disk full');
    });
    const shares: ShareEvent[] = [];
    server.on('share', (e: ShareEvent) => shares.push(e));
    const c = await open();
    const { en1 } = await c.handshake();
    const found = mine(job('j1'), en1, '000000000003', TINY);
    c.send({
      id: 7,
      method: 'mining.submit',
      params: ['acct.rig1', 'j1', '000000000003', found.ntime, found.nonce],
    });
    expect(await c.reply(7)).toMatchObject({
      result: null,
      error: [20, 'share could not be stored by the agent', null],
    });
    expect(shares).toEqual([]);
    expect(server.stats().sinkFailures).toBe(1);
  });

  it('the recorded Bitaxe lines get sensible replies', async () => {
    const { open } = await start({ vardiff: DEFAULT_VARDIFF });
    const c = await open();
    for (const k of [
      'subscribe_request',
      'configure_request',
      'authorize_request',
      'suggest_difficulty_request',
    ]) {
      c.send(`${bitaxe.messages[k]}\n`);
    }
    const sub = (await c.reply(1)).result as unknown[];
    expect(sub[1]).toMatch(/^f000000a[0-9a-f]{4}$/);
    expect(sub[2]).toBe(6);
    expect((await c.reply(2)).result).toEqual(JSON.parse(bitaxe.messages.configure_response!).result);
    expect(await c.reply(3)).toEqual({ id: 3, result: true, error: null });
    expect((await c.notify('mining.set_difficulty')).params).toEqual([16]);
    expect((await c.notify('mining.notify')).params![0]).toBe('j1');
    expect((await c.reply(4)).result).toBe(true);
    expect((await c.notify('mining.set_difficulty')).params).toEqual([512]);
  });

  it('a miner that connects before any work waits, then gets its subscribe reply', async () => {
    const { server, open } = await start({}, false);
    const c = await open();
    c.send({ id: 1, method: 'mining.subscribe', params: [] });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received).toEqual([]);
    server.setWork({ job: job('j1', true), ...UPSTREAM });
    expect(((await c.reply(1)).result as unknown[])[1]).toBe('f000000a0000');
  });
});

describe('StratumServer: bad input and limits', () => {
  it('garbage JSON and unknown methods get error replies; the connection stays', async () => {
    const { open } = await start();
    const c = await open();
    c.send('{"id": 1, "method": \n');
    expect(errorCode(await c.take((m) => m.id === null && m.error != null))).toBe(-32700);
    c.send({ id: 2, method: 'mining.vendor_magic', params: [1] });
    expect(errorCode(await c.reply(2))).toBe(-32601);
    await c.handshake();
    expect(c.closed).toBe(false);
  });

  it('an oversized line closes that connection only', async () => {
    const { open } = await start({ maxLineBytes: 1024 });
    const [a, b] = [await open(), await open()];
    a.send(`{"id":1,"method":"mining.subscribe","params":["${'x'.repeat(4000)}"]}\n`);
    const err = await a.take((m) => m.error != null);
    expect(String((err.error as unknown[])[1])).toMatch(/line too long/);
    await a.whenClosed;
    await b.handshake();
    expect(b.closed).toBe(false);
  });

  it('a flood closes the flooding client; another keeps getting replies', async () => {
    const { server, open } = await start({ floodRatePerSecond: 5, floodBurst: 20 });
    const gone: DisconnectEvent[] = [];
    server.on('disconnect', (e: DisconnectEvent) => gone.push(e));
    const [flooder, calm] = [await open(), await open()];
    flooder.send(
      Array.from({ length: 200 }, (_, i) => `{"id":${i},"method":"mining.ping","params":[]}\n`).join(''),
    );
    await flooder.whenClosed;
    expect(
      flooder.received.some((m) => /too many messages/.test(String((m.error as unknown[] | null)?.[1]))),
    ).toBe(true);
    await until(() => gone.length >= 1, 'disconnect events');
    expect(gone.map((e) => e.code)).toEqual(['flood']);
    await calm.handshake();
  });

  it('connections per address are limited', async () => {
    const { server, open } = await start({ maxConnectionsPerIp: 2 });
    await open();
    await open();
    const third = await open();
    await third.whenClosed;
    expect(String((third.received[0]?.error as unknown[])[1])).toMatch(/connections from 127\.0\.0\.1/);
    expect(server.stats().refused).toBe(1);
  });

  it('a silent connection is closed as idle', async () => {
    const { server, open } = await start({ idleTimeoutMs: 200, tickMs: 50 });
    const gone: DisconnectEvent[] = [];
    server.on('disconnect', (e: DisconnectEvent) => gone.push(e));
    const c = await open();
    await c.whenClosed;
    await until(() => gone.length >= 1, 'disconnect events');
    expect(gone[0]?.code).toBe('idle');
  });

  it('a miner that stops reading is dropped as a slow consumer', async () => {
    const { server, open } = await start({ maxWriteBufferBytes: 64 * 1024 });
    const gone: DisconnectEvent[] = [];
    server.on('disconnect', (e: DisconnectEvent) => gone.push(e));
    const c = await open();
    await c.handshake();
    c.socket.pause();
    for (let i = 0; i < 20_000 && gone.length === 0; i++) {
      server.setWork({ job: job(`x${i}`), ...UPSTREAM });
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(gone.map((e) => e.code)).toEqual(['slow-consumer']);
  });
  it('random bytes never crash the server; other miners are unaffected', async () => {
    const { open } = await start({ floodBurst: 10_000, floodRatePerSecond: 10_000 });
    const [noise, calm] = [await open(), await open()];
    let seed = 7;
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = i % 97 === 0 ? 0x0a : seed & 0xff;
    }
    noise.socket.write(bytes);
    noise.send('\n{"id":99,"method":"mining.ping","params":[]}\n');
    expect(errorCode(await noise.reply(99))).toBe(-32601);
    await calm.handshake();
  });
});

describe('StratumServer: fan-out', () => {
  it('200 concurrent miners all receive the notify of a new job', async () => {
    const { server, open } = await start({ maxConnectionsPerIp: 500 });
    const miners = await Promise.all(Array.from({ length: 200 }, () => open()));
    await Promise.all(miners.map((m, i) => m.handshake(`acct.w${i}`)));
    await Promise.all(miners.map((m) => m.notify('mining.notify')));
    server.setWork({ job: job('fan', true), ...UPSTREAM });
    const got = await Promise.all(
      miners.map((m) => m.take((x) => x.method === 'mining.notify' && x.params?.[0] === 'fan')),
    );
    expect(got).toHaveLength(200);
    expect(new Set(server.sessions().map((s) => s.extranonce1)).size).toBe(200);
  });

  it('the last job is re-sent when no new job comes', async () => {
    const { open } = await start({ rebroadcastMs: 150, tickMs: 50 });
    const c = await open();
    await c.handshake();
    expect((await c.notify('mining.notify')).params!.at(-1)).toBe(true);
    const again = await c.notify('mining.notify');
    expect(again.params![0]).toBe('j1');
    expect(again.params!.at(-1)).toBe(false);
  });

  it('a new extranonce space: set_extranonce to subscribers, a reconnect for the others', async () => {
    const { server, open } = await start();
    const [sub, plain] = [await open(), await open()];
    await sub.handshake();
    sub.send({ id: 9, method: 'mining.extranonce.subscribe', params: [] });
    await sub.reply(9);
    await plain.handshake();
    const gone: DisconnectEvent[] = [];
    server.on('disconnect', (e: DisconnectEvent) => gone.push(e));
    server.setWork({ job: job('k1'), extranonce1: 'beef', extranonce2Size: 4 });
    expect((await sub.notify('mining.set_extranonce')).params).toEqual(['beef0000', 2]);
    const k1 = await sub.take((m) => m.method === 'mining.notify' && m.params?.[0] === 'k1');
    expect(k1.params!.at(-1)).toBe(true);
    await plain.whenClosed;
    await until(() => gone.length >= 1, 'disconnect events');
    expect(gone.map((e) => e.code)).toEqual(['extranonce-changed']);
  });

  it('disconnectAll closes every miner with the reason', async () => {
    const { server, open } = await start();
    const gone: DisconnectEvent[] = [];
    server.on('disconnect', (e: DisconnectEvent) => gone.push(e));
    const cs = [await open(), await open()];
    await cs[0]!.handshake();
    server.suspend('upstream down');
    expect(server.suspended).toBe(true);
    server.disconnectAll('no upstream for 10 minutes');
    await Promise.all(cs.map((c) => c.whenClosed));
    await until(() => gone.length >= 2, 'disconnect events');
    expect(gone.map((e) => e.code)).toEqual(['disconnect-all', 'disconnect-all']);
    expect(gone.find((e) => e.worker)?.worker).toBe('rig1');
  });
});

describe('StratumServer: upstream trouble', () => {
  it('while suspended, miners keep the last job: shares are accepted and the job is re-sent', async () => {
    const { server, open } = await start({ rebroadcastMs: 100, tickMs: 25 });
    const c = await open();
    const { en1 } = await c.handshake();
    await c.notify('mining.notify');
    server.suspend('upstream down');
    const found = mine(job('j1'), en1, '000000000009', TINY);
    c.send({
      id: 8,
      method: 'mining.submit',
      params: ['acct.rig1', 'j1', '000000000009', found.ntime, found.nonce],
    });
    expect((await c.reply(8)).result).toBe(true);
    expect((await c.notify('mining.notify')).params![0]).toBe('j1');
    server.resume();
    expect(server.suspended).toBe(false);
    expect(c.closed).toBe(false);
  });
});
