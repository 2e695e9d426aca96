import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Backoff,
  StratumUpstream,
  parseUpstreamUrl,
  type ShareAck,
  type ShareRecord,
  type StratumUrl,
  type UpstreamWork,
} from '../../agent/src/upstream/index.js';
import { mineShare, startStratumPool } from '../support/stratum-pool.js';
import { waitFor } from '../support/uplink-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('StratumUpstream', () => {
  it('subscribes, authorizes the URL user and each worker under it, forwards only shares meeting the pool difficulty', async () => {
    const pool = await startStratumPool();
    cleanups.push(() => pool.close());
    const url = parseUpstreamUrl(`stratum+tcp://acme:pw@127.0.0.1:${pool.port}`);
    if (!url.ok) throw new Error(url.error.message);
    const up = new StratumUpstream({
      name: 'pool',
      url: url.value as StratumUrl,
      logger: pino({ level: 'silent' }),
      backoff: new Backoff(20, 200),
    });
    cleanups.push(() => up.close());
    const works: UpstreamWork[] = [];
    const acks: ShareAck[] = [];
    const downs: string[] = [];
    up.on('work', (w: UpstreamWork) => works.push(w));
    up.on('ack', (a: ShareAck[]) => acks.push(...a));
    up.on('down', (r: string) => downs.push(r));
    up.connect();
    await waitFor(() => works.length === 1, 'work');
    const work = works[0]!;
    expect(work).toMatchObject({
      extranonce1: pool.sessions[0]!.extranonce1,
      extranonce2Size: 4,
      difficulty: 1 / 65536,
    });
    expect(work.versionMask).toBe(0x1fffe000);
    expect(pool.sessions[0]!.worker).toBe('acme');

    const rec = (seq: number, over: Partial<ShareRecord>): ShareRecord => ({
      seq,
      account: 'acme',
      worker: 'rig1',
      jobId: work.job.jobId,
      extranonce2: '00010000',
      ntime: work.job.ntime,
      nonce: '00000000',
      difficulty: 1 / 65536,
      block: false,
      at: 0,
      ...over,
    });
    const good = mineShare(work, '00010001', 1 / 65536);
    const good2 = mineShare(work, '00020001', 1 / 65536);
    up.submitShares([
      rec(1, { ...good }),
      rec(2, { ...good2, shareDifficulty: good2.shareDifficulty }),
      rec(3, { shareDifficulty: 1e-9, difficulty: 1e-9 }), // the miner's target, below the pool's
      rec(4, { nonce: 'ffffffff', shareDifficulty: 1 }), // claims enough but is not: the pool says so
      rec(5, { extranonce2: '0001', shareDifficulty: 1 }),
      rec(1, { ...good }), // in flight already: not sent twice
    ]);
    await waitFor(() => acks.length === 5, 'acks');
    const bySeq = new Map(acks.map((a) => [a.seq, a]));
    expect(bySeq.get(1)?.accepted).toBe(true);
    expect(bySeq.get(2)?.accepted).toBe(true);
    expect(bySeq.get(3)).toMatchObject({ accepted: false, reason: 'below-upstream-target' });
    expect(bySeq.get(4)).toMatchObject({ accepted: false, reason: 'low-difficulty' });
    expect(bySeq.get(5)).toMatchObject({ accepted: false, reason: 'bad-extranonce2' });
    expect(pool.shares).toHaveLength(3); // 3 and 5 never went out, 1 went once
    // Each miner is credited as its own worker under the URL's account.
    expect(pool.accepted('acme.rig1')).toHaveLength(2);
    expect(pool.sessions[0]!.methods.filter((m) => m === 'mining.authorize')).toHaveLength(2);
    expect(up.state().latencyMs).toBeGreaterThanOrEqual(0);

    await pool.close();
    await waitFor(() => downs.length === 1, 'down');
    expect(up.state().connected).toBe(false);
    expect(up.state().lastError).toBeDefined();
  });
});

describe('parseUpstreamUrl', () => {
  it('reads both schemes', () => {
    expect(parseUpstreamUrl('stratum+tcp://acme.rig:p%40ss@pool.example:3333')).toEqual({
      ok: true,
      value: {
        kind: 'stratum',
        host: 'pool.example',
        port: 3333,
        user: 'acme.rig',
        password: 'p@ss',
        display: 'stratum+tcp://acme.rig@pool.example:3333',
      },
    });
    expect(parseUpstreamUrl('stratum+tcp://127.0.0.1:3333')).toMatchObject({
      ok: true,
      value: { user: '', password: 'x' },
    });
    expect(parseUpstreamUrl('farmhand+tls://farm-7:tok@[::1]:4444')).toEqual({
      ok: true,
      value: {
        kind: 'uplink',
        tls: true,
        host: '::1',
        port: 4444,
        agentId: 'farm-7',
        token: 'tok',
        display: 'farmhand+tls://farm-7@[::1]:4444',
      },
    });
  });
  it('explains what is wrong without printing the token', () => {
    const cases: [string, RegExp][] = [
      ['pool example', /not a URL/],
      ['pool.example:3333', /unknown scheme pool.example; use stratum\+tcp/],
      ['http://pool.example:3333', /unknown scheme http/],
      ['stratum+tcp://pool.example', /missing port/],
      ['farmhand+tcp://127.0.0.1:4444', /missing agent id/],
      ['farmhand+tcp://farm-7@127.0.0.1:4444', /missing token/],
      ['farmhand+tcp://farm%207:secret@127.0.0.1:4444', /agent id farm 7/],
      ['stratum+tcp://pool.example:3333/path', /unexpected path/],
    ];
    for (const [text, why] of cases) {
      const r = parseUpstreamUrl(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_UPSTREAM_URL');
        expect(r.error.message).toMatch(why);
        expect(r.error.message).not.toMatch(/secret/);
      }
    }
  });
});
