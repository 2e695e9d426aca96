import { describe, expect, it } from 'vitest';
import {
  difficultyToTarget,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  sha256d,
  targetToBytes,
  writeHeader,
} from '@farmhand/core/bitcoin';
import {
  FloodGuard,
  InvalidShareGuard,
  MinerSession,
  NotifyLines,
  SessionStats,
  closeReason,
  parsePasswordOptions,
  type SessionOutput,
} from '@farmhand/core/session';
import { ShareValidator, prepareJob } from '@farmhand/core/share';
import { parseNotifyParams, stratumPrevhashToHeader, type StratumJob } from '@farmhand/core/stratum';
import { DEFAULT_VARDIFF, type VardiffConfig } from '@farmhand/core/vardiff';
import { readFixtureJson } from '../support/fixtures.js';

interface Recorded {
  id: string;
  messages: Record<string, string>;
  notify_params: unknown[];
  extranonce1: string;
}
const bitaxe = readFixtureJson<Recorded[]>('bitcoin/stratum-sessions.json').find(
  (s) => s.id === 'public-pool-bitaxe-testnet3-2442185',
)!;
const baseJob = ((): StratumJob => {
  const j = parseNotifyParams(bitaxe.notify_params);
  if (!j.ok) throw new Error(j.error.message);
  return j.value;
})();

const TINY = 0.00001;

function prepared(job: StratumJob) {
  const p = prepareJob(job);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}
const VARDIFF: VardiffConfig = { ...DEFAULT_VARDIFF, minDifficulty: 1e-8 };
const T0 = 1_700_000_000_000;

/** A CPU miner: searches nonces until the header meets the difficulty. */
function mine(job: StratumJob, en1: string, en2: string, difficulty: number, startNonce = 0) {
  const coinbase = hexToBytes(job.coinb1 + en1 + en2 + job.coinb2);
  const root = rootFromBranch(sha256d(coinbase), job.merkleBranch.map(hexToBytes));
  const prev = stratumPrevhashToHeader(job.prevhash);
  const target = targetToBytes(difficultyToTarget(difficulty));
  const header = new Uint8Array(80);
  const version = parseInt(job.version, 16);
  const bits = parseInt(job.nbits, 16);
  const ntime = parseInt(job.ntime, 16);
  for (let nonce = startNonce; nonce < 0xffffffff; nonce++) {
    writeHeader(header, version, prev, root, ntime, bits, nonce);
    if (hashMeetsTarget(sha256d(header), target)) {
      return { ntime: job.ntime, nonce: nonce.toString(16).padStart(8, '0') };
    }
  }
  throw new Error('no nonce');
}

const json = (line: string) =>
  JSON.parse(line) as { id: unknown; result?: unknown; error?: unknown; method?: string; params?: unknown[] };
const methods = (out: SessionOutput) => out.lines.map((l) => json(l).method ?? 'reply');

function setup(opts: { start?: number; job?: StratumJob } = {}) {
  const validator = new ShareValidator();
  const job = opts.job ?? { ...baseJob, jobId: 'j1', cleanJobs: true };
  const prepared = prepareJob(job);
  if (!prepared.ok) throw new Error(prepared.error.message);
  validator.addJob(prepared.value);
  const session = new MinerSession({
    id: 's1',
    extranonce1: 'aabb0001',
    extranonce2Size: 4,
    validator,
    vardiff: VARDIFF,
    startDifficulty: opts.start ?? TINY,
    currentJob: new NotifyLines(job),
    now: T0,
  });
  return { validator, session, job };
}

function line(id: number | null, method: string, params: unknown[]) {
  return JSON.stringify({ id, method, params });
}

function authorized(opts: { start?: number } = {}) {
  const s = setup(opts);
  s.session.receiveLine(line(1, 'mining.subscribe', ['test/1.0']), T0);
  s.session.receiveLine(line(2, 'mining.authorize', ['acct.rig1', 'x']), T0);
  return s;
}

describe('MinerSession handshake', () => {
  it('subscribe replies with extranonce1 and the extranonce2 size, and keeps the user agent', () => {
    const { session } = setup();
    const out = session.receiveLine(line(1, 'mining.subscribe', ['bitaxe v2.2']), T0);
    expect(json(out.lines[0]!).result).toEqual([
      [
        ['mining.set_difficulty', 'aabb0001'],
        ['mining.notify', 'aabb0001'],
      ],
      'aabb0001',
      4,
    ]);
    expect(session.userAgent).toBe('bitaxe v2.2');
    expect(out.events).toEqual([{ type: 'subscribed', userAgent: 'bitaxe v2.2' }]);
  });

  it('configure grants the BIP320 mask, minimum difficulty and extranonce subscription', () => {
    const { session } = setup();
    const out = session.receiveLine(
      line(2, 'mining.configure', [
        ['version-rolling', 'minimum-difficulty', 'subscribe-extranonce'],
        { 'version-rolling.mask': 'ffffffff', 'minimum-difficulty.value': 0.001 },
      ]),
      T0,
    );
    expect(json(out.lines[0]!).result).toEqual({
      'version-rolling': true,
      'version-rolling.mask': '1fffe000',
      'minimum-difficulty': true,
      'subscribe-extranonce': true,
    });
    expect(session.versionMask).toBe(0x1fffe000);
    expect(session.difficulty).toBe(0.001);
  });

  it('configure refuses version rolling when too few bits remain', () => {
    const { session } = setup();
    const out = session.receiveLine(
      line(2, 'mining.configure', [
        ['version-rolling'],
        { 'version-rolling.mask': '00000fff', 'version-rolling.min-bit-count': 2 },
      ]),
      T0,
    );
    expect(json(out.lines[0]!).result).toEqual({ 'version-rolling': false });
    expect(session.versionMask).toBe(0);
  });

  it('first authorize sends true, set_difficulty, then the current job with clean=true', () => {
    const { session } = setup({ job: { ...baseJob, jobId: 'j1', cleanJobs: false } });
    session.receiveLine(line(1, 'mining.subscribe', []), T0);
    const out = session.receiveLine(line(2, 'mining.authorize', ['acct.rig1', 'x']), T0);
    expect(methods(out)).toEqual(['reply', 'mining.set_difficulty', 'mining.notify']);
    expect(json(out.lines[0]!).result).toBe(true);
    expect(json(out.lines[1]!).params).toEqual([TINY]);
    expect(json(out.lines[2]!).params!.at(-1)).toBe(true);
    expect(out.events).toEqual([{ type: 'authorized', user: 'acct.rig1', account: 'acct', worker: 'rig1' }]);
    // A second authorize of the same user sends no new job.
    expect(methods(session.receiveLine(line(3, 'mining.authorize', ['acct.rig1', 'x']), T0))).toEqual([
      'reply',
    ]);
  });

  it('authorize before subscribe → 25; a bad user name → 24', () => {
    const { session } = setup();
    expect(json(session.receiveLine(line(2, 'mining.authorize', ['a.b', 'x']), T0).lines[0]!).error).toEqual([
      25,
      'Not subscribed',
      null,
    ]);
    session.receiveLine(line(1, 'mining.subscribe', []), T0);
    const bad = json(session.receiveLine(line(3, 'mining.authorize', ['bad name!', 'x']), T0).lines[0]!);
    expect((bad.error as unknown[])[0]).toBe(24);
    expect(session.authorized).toBe(false);
  });

  it('a d=N password fixes the difficulty, and suggest_difficulty no longer moves it', () => {
    const { session } = setup();
    session.receiveLine(line(1, 'mining.subscribe', []), T0);
    const out = session.receiveLine(line(2, 'mining.authorize', ['acct.rig1', 'x,d=0.5']), T0);
    expect(json(out.lines[1]!).params).toEqual([0.5]);
    session.receiveLine(line(3, 'mining.suggest_difficulty', [64]), T0);
    expect(session.difficulty).toBe(0.5);
    expect(parsePasswordOptions('d=abc')).toEqual({});
    expect(parsePasswordOptions('D=2e3')).toEqual({ fixedDifficulty: 2000 });
  });

  it('suggest_difficulty is clamped to the vardiff bounds and announced after authorize', () => {
    const { session } = authorized();
    const out = session.receiveLine(line(4, 'mining.suggest_difficulty', [2 ** 50]), T0);
    expect(json(out.lines[0]!).result).toBe(true);
    expect(methods(out)).toEqual(['reply', 'mining.set_difficulty', 'mining.notify']);
    expect(json(out.lines[1]!).params).toEqual([VARDIFF.maxDifficulty]);
  });

  it('extranonce.subscribe and get_transactions are acknowledged; unknown methods get -32601', () => {
    const { session } = setup();
    expect(json(session.receiveLine(line(5, 'mining.extranonce.subscribe', []), T0).lines[0]!).result).toBe(
      true,
    );
    expect(
      json(session.receiveLine(line(6, 'mining.get_transactions', ['j1']), T0).lines[0]!).result,
    ).toEqual([]);
    const unknown = session.receiveLine(line(7, 'mining.ping', []), T0);
    expect((json(unknown.lines[0]!).error as unknown[])[0]).toBe(-32601);
    expect(closeReason(unknown)).toBeUndefined();
    expect(session.receiveLine(line(null, 'mining.vendor_note', []), T0).lines).toEqual([]);
  });

  it('garbage gets a parse error with id null; bad params get -32602', () => {
    const { session } = setup();
    expect((json(session.receiveLine('{not json', T0).lines[0]!).error as unknown[])[0]).toBe(-32700);
    expect((json(session.receiveLine('[1,2]', T0).lines[0]!).error as unknown[])[0]).toBe(-32600);
    expect(
      (
        json(session.receiveLine(line(9, 'mining.suggest_difficulty', ['x']), T0).lines[0]!)
          .error as unknown[]
      )[0],
    ).toBe(-32602);
    expect(session.closed).toBe(false);
  });
});

describe('MinerSession shares', () => {
  it('a mined share is accepted; the same again is a duplicate (22)', () => {
    const { session, job } = authorized();
    const { ntime, nonce } = mine(job, 'aabb0001', '00000001', TINY);
    const submit = line(10, 'mining.submit', ['acct.rig1', 'j1', '00000001', ntime, nonce]);
    const out = session.receiveLine(submit, T0 + 1000);
    expect(json(out.lines[0]!).result).toBe(true);
    const ev = out.events.find((e) => e.type === 'share');
    expect(ev?.type === 'share' && ev.share.verdict.kind).toBe('accepted');
    expect(ev?.type === 'share' && ev.share.worker).toBe('rig1');
    const dup = session.receiveLine(submit, T0 + 2000);
    expect(json(dup.lines[0]!).error).toEqual([22, 'duplicate share', null]);
    const snap = session.snapshot(T0 + 60_000);
    expect(snap.accepted).toBe(1);
    expect(snap.rejected).toEqual({ duplicate: 1 });
    expect(snap.hashrate).toBeCloseTo((TINY * 2 ** 32) / 60, 6);
  });

  it('a share for a job replaced by a clean job is stale (21)', () => {
    const { session, validator, job } = authorized();
    const found = mine(job, 'aabb0001', '00000002', TINY);
    const next = { ...baseJob, jobId: 'j2', cleanJobs: true };
    validator.addJob(prepared(next));
    const notify = session.onWork(new NotifyLines(next));
    expect(json(notify.lines[0]!).params![0]).toBe('j2');
    const out = session.receiveLine(
      line(11, 'mining.submit', ['acct.rig1', 'j1', '00000002', found.ntime, found.nonce]),
      T0,
    );
    expect((json(out.lines[0]!).error as unknown[])[0]).toBe(21);
    expect(session.stats.rejected.get('stale')).toBe(1);
  });

  it('submit before subscribe → 25, before authorize → 24, another account → 24', () => {
    const { session } = setup();
    const submit = (w: string) => line(12, 'mining.submit', [w, 'j1', '00000000', baseJob.ntime, '00000000']);
    expect((json(session.receiveLine(submit('acct.rig1'), T0).lines[0]!).error as unknown[])[0]).toBe(25);
    session.receiveLine(line(1, 'mining.subscribe', []), T0);
    expect((json(session.receiveLine(submit('acct.rig1'), T0).lines[0]!).error as unknown[])[0]).toBe(24);
    session.receiveLine(line(2, 'mining.authorize', ['acct.rig1', 'x']), T0);
    expect((json(session.receiveLine(submit('other.rig1'), T0).lines[0]!).error as unknown[])[0]).toBe(24);
    expect(session.stats.rejected.get('unauthorized')).toBe(2);
  });

  it('a share under another worker of the same account is credited to that worker', () => {
    const { session, job } = authorized();
    const found = mine(job, 'aabb0001', '00000003', TINY);
    const out = session.receiveLine(
      line(13, 'mining.submit', ['acct.rig2', 'j1', '00000003', found.ntime, found.nonce]),
      T0,
    );
    const ev = out.events.find((e) => e.type === 'share');
    expect(ev?.type === 'share' && ev.share.worker).toBe('rig2');
  });

  it('a low-difficulty share is 23', () => {
    const { session, job } = authorized({ start: 1e6 });
    const found = mine(job, 'aabb0001', '00000004', TINY);
    const out = session.receiveLine(
      line(14, 'mining.submit', ['acct.rig1', 'j1', '00000004', found.ntime, found.nonce]),
      T0,
    );
    expect((json(out.lines[0]!).error as unknown[])[0]).toBe(23);
  });

  it('the recorded Bitaxe share is accepted at difficulty 512 with version rolling', () => {
    const job = { ...baseJob, jobId: '1' };
    const validator = new ShareValidator();
    validator.addJob(prepared(job));
    const session = new MinerSession({
      id: 'b',
      extranonce1: bitaxe.extranonce1,
      extranonce2Size: 4,
      validator,
      vardiff: { ...DEFAULT_VARDIFF, minDifficulty: 1 },
      startDifficulty: 1,
      currentJob: new NotifyLines(job),
      now: T0,
    });
    for (const k of [
      'subscribe_request',
      'configure_request',
      'authorize_request',
      'suggest_difficulty_request',
    ]) {
      session.receiveLine(bitaxe.messages[k]!, T0);
    }
    expect(session.difficulty).toBe(512);
    const out = session.receiveLine(bitaxe.messages.submit!, T0);
    expect(json(out.lines[0]!)).toEqual({ id: 5, result: true, error: null });
  });

  it('vardiff raises the difficulty after fast shares and re-sends the job with set_difficulty', () => {
    const { session, job } = authorized({ start: 1e-7 });
    let out: SessionOutput | undefined;
    let nonce = 0;
    for (let i = 0; i < VARDIFF.retargetShares; i++) {
      const found = mine(job, 'aabb0001', '00000005', 1e-7, nonce);
      nonce = parseInt(found.nonce, 16) + 1;
      out = session.receiveLine(
        line(20 + i, 'mining.submit', ['acct.rig1', 'j1', '00000005', found.ntime, found.nonce]),
        T0 + i * 100,
      );
    }
    expect(methods(out!)).toEqual(['reply', 'mining.set_difficulty', 'mining.notify']);
    expect(session.difficulty).toBe(2e-7);
    expect(out!.events.some((e) => e.type === 'difficulty')).toBe(true);
  });

  it('a silent miner is halved by tick', () => {
    const { session } = authorized({ start: 1 });
    expect(session.tick(T0 + 1000).lines).toEqual([]);
    const out = session.tick(T0 + VARDIFF.retargetSeconds * 1000);
    expect(json(out.lines[0]!).params).toEqual([0.5]);
  });

  it('a session whose shares are mostly invalid is closed with a reason', () => {
    const { session } = authorized();
    let out: SessionOutput | undefined;
    for (let i = 0; i < 50 && !session.closed; i++) {
      out = session.receiveLine(
        line(i, 'mining.submit', ['acct.rig1', 'nope', '00000000', baseJob.ntime, '00000000']),
        T0,
      );
    }
    expect(closeReason(out!)).toMatch(/50 of the last 50 shares were invalid/);
  });
});

describe('MinerSession work and extranonce', () => {
  it('onWork sends the shared line only to authorized sessions', () => {
    const { session } = setup();
    const lines = new NotifyLines({ ...baseJob, jobId: 'j9', cleanJobs: false });
    expect(session.onWork(lines).lines).toEqual([]);
    session.receiveLine(line(1, 'mining.subscribe', []), T0);
    session.receiveLine(line(2, 'mining.authorize', ['acct', 'x']), T0);
    expect(session.worker).toBe('default');
    expect(session.onWork(lines).lines[0]).toBe(lines.line);
    expect(json(session.resendJob().lines[0]!).params![0]).toBe('j9');
  });

  it('set_extranonce for subscribers; a close for the others', () => {
    const a = authorized().session;
    a.receiveLine(line(3, 'mining.extranonce.subscribe', []), T0);
    const out = a.setExtranonce('ccdd0001', 2);
    expect(json(out.lines[0]!)).toEqual({
      id: null,
      method: 'mining.set_extranonce',
      params: ['ccdd0001', 2],
    });
    const b = authorized().session;
    expect(closeReason(b.setExtranonce('ccdd0002', 2))).toMatch(/reconnect/);
  });
});

describe('session parts', () => {
  it('InvalidShareGuard judges a full window only', () => {
    const g = new InvalidShareGuard({ window: 10, maxInvalidRatio: 0.5 });
    for (let i = 0; i < 9; i++) expect(g.record(false)).toBeUndefined();
    expect(g.record(false)).toMatch(/10 of the last 10/);
    const h = new InvalidShareGuard({ window: 4, maxInvalidRatio: 0.5 });
    expect([true, false, true, false, false].map((v) => h.record(v) !== undefined)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it('SessionStats forgets shares older than the window', () => {
    const s = new SessionStats(0, 120_000);
    s.accept(1, 1000, false);
    expect(s.hashrate(60_000)).toBeCloseTo(2 ** 32 / 60, 3);
    expect(s.hashrate(10 * 60_000)).toBe(0);
    expect(s.accepted).toBe(1);
  });

  it('FloodGuard allows a burst, then the rate', () => {
    const g = new FloodGuard({ ratePerSecond: 2, burst: 3 }, 0);
    expect([g.take(0), g.take(0), g.take(0), g.take(0)]).toEqual([true, true, true, false]);
    expect(g.take(499)).toBe(false);
    expect(g.take(500)).toBe(true);
    expect(g.take(10_000) && g.take(10_000) && g.take(10_000)).toBe(true);
    expect(g.take(10_000)).toBe(false);
  });
});
