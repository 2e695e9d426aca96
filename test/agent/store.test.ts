import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit, MIGRATIONS, ShareStore, migrate } from '../../agent/src/store/index.js';
import type { NewShareRecord } from '../../agent/src/upstream/share-record.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fh-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

export function share(i: number, over: Partial<NewShareRecord> = {}): NewShareRecord {
  return {
    account: 'acme',
    worker: `w${i % 3}`,
    jobId: '0000001f',
    extranonce2: i.toString(16).padStart(16, '0'),
    ntime: '6553f100',
    nonce: i.toString(16).padStart(8, '0'),
    difficulty: 1024,
    block: false,
    at: 1_700_000_000_000 + i,
    ...over,
  };
}

function open(opts = {}) {
  const r = ShareStore.open(join(dir, 'agent.db'), opts);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('ShareStore', () => {
  it('append gives increasing seqs; pending is in seq order; ack deletes; seqs are never reused', () => {
    const s = open();
    const seqs = [1, 2, 3, 4].map((i) => {
      const r = s.append(
        share(
          i,
          i === 2 ? { versionBits: '00002000', shareDifficulty: 5000, block: true, upstream: 'gw' } : {},
        ),
      );
      expect(r.ok).toBe(true);
      return r.ok ? r.value : -1;
    });
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(s.depth).toBe(4);
    const p = s.pending(10);
    expect(p.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(p[1]).toMatchObject({
      versionBits: '00002000',
      shareDifficulty: 5000,
      block: true,
      worker: 'w2',
      upstream: 'gw',
    });
    expect(p[0]).not.toHaveProperty('versionBits');
    expect(p[0]).not.toHaveProperty('upstream');
    expect(s.pending(2, 2).map((r) => r.seq)).toEqual([3, 4]);
    s.markSent([1, 2]);
    expect(s.ack([4, 1, 99])).toBe(2);
    expect(s.depth).toBe(2);
    expect(s.pending(10).map((r) => r.seq)).toEqual([2, 3]);
    s.close();
    const again = open();
    expect(again.depth).toBe(2);
    const next = again.append(share(5));
    expect(next).toEqual({ ok: true, value: 5 }); // AUTOINCREMENT: 4 was deleted, 5 is next
    again.close();
  });

  it('a full buffer refuses new shares and counts them; acked room is reusable', () => {
    const s = open({ maxPendingShares: 3 });
    for (let i = 0; i < 3; i++) expect(s.append(share(i)).ok).toBe(true);
    const r = s.append(share(3));
    expect(r).toMatchObject({ ok: false, error: { code: 'STORE_FULL' } });
    if (!r.ok) expect(r.error.message).toMatch(/limit 3/);
    expect(s.counter('shares_refused_full')).toBe(1);
    expect(s.pending(10)).toHaveLength(3); // nothing acknowledged was dropped
    s.ack([1]);
    expect(s.append(share(4)).ok).toBe(true);
    s.close();
  });

  it('group commit: one transaction per event-loop turn, each caller gets its own seq; all-or-each when full', async () => {
    const s = open({ maxPendingShares: 5 });
    const g = new GroupCommit(s);
    const results = await Promise.all([0, 1, 2].map((i) => g.append(share(i))));
    expect(results).toEqual([1, 2, 3].map((value) => ({ ok: true, value })));
    const more = await Promise.all([3, 4, 5].map((i) => g.append(share(i))));
    expect(more.map((r) => r.ok)).toEqual([true, true, false]);
    expect(s.pending(10).map((r) => r.nonce)).toEqual(
      [0, 1, 2, 3, 4].map((i) => i.toString(16).padStart(8, '0')),
    );
    expect(s.appendMany([share(9)])).toMatchObject({ ok: false, error: { code: 'STORE_FULL' } });
    s.close();
  });

  it('migrations: schema_version records the last one; re-open is idempotent; a newer file is refused', () => {
    open().close();
    const db = new Database(join(dir, 'agent.db'));
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: MIGRATIONS.at(-1)!.version,
    });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const later = MIGRATIONS.at(-1)!.version + 1;
    const extra = [...MIGRATIONS, { version: later, sql: 'CREATE TABLE later (x INTEGER)' }];
    expect(migrate(db, extra)).toEqual({ ok: true, value: later });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'later'").get()).toEqual({
      name: 'later',
    });
    db.close();
    const r = ShareStore.open(join(dir, 'agent.db'));
    expect(r).toMatchObject({ ok: false, error: { code: 'STORE_TOO_NEW' } });
  });

  it('a failing migration leaves the previous version in place', () => {
    const db = new Database(join(dir, 'x.db'));
    const last = MIGRATIONS.at(-1)!.version;
    const bad = [...MIGRATIONS, { version: last + 1, sql: 'CREATE TABLE ok2 (x); CREATE TABLE broken (' }];
    const r = migrate(db, bad);
    expect(r).toMatchObject({ ok: false, error: { code: 'MIGRATION_FAILED' } });
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: last });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok2'").get()).toBeUndefined();
    db.close();
  });

  it('per-minute history adds up per series and honours retention', () => {
    const s = open({ historyRetentionMinutes: 10 });
    const t0 = 1_700_000_040; // a multiple of 60
    s.history.recordMinute({
      minute: t0,
      scope: 'worker',
      key: 'acme.w1',
      accepted: 3,
      acceptedDifficulty: 3072,
      rejected: { stale: 1 },
    });
    s.history.recordMinutes([
      {
        minute: t0,
        scope: 'worker',
        key: 'acme.w1',
        accepted: 1,
        acceptedDifficulty: 1024,
        rejected: { stale: 2, duplicate: 1 },
      },
      {
        minute: t0 + 60,
        scope: 'worker',
        key: 'acme.w1',
        accepted: 5,
        acceptedDifficulty: 5120,
        rejected: {},
      },
      { minute: t0, scope: 'farm', key: '', accepted: 9, acceptedDifficulty: 9216, rejected: {} },
      { minute: t0, scope: 'miner', key: '10.0.0.17', accepted: 4, acceptedDifficulty: 4096, rejected: {} },
    ]);
    const h = s.history.history('worker', 'acme.w1', t0);
    expect(h).toEqual([
      {
        minute: t0,
        scope: 'worker',
        key: 'acme.w1',
        accepted: 4,
        acceptedDifficulty: 4096,
        rejected: { stale: 3, duplicate: 1 },
      },
      {
        minute: t0 + 60,
        scope: 'worker',
        key: 'acme.w1',
        accepted: 5,
        acceptedDifficulty: 5120,
        rejected: {},
      },
    ]);
    expect(s.history.history('worker', 'acme.w1', t0 + 60)).toHaveLength(1);
    expect(s.history.history('farm', '', 0)[0]!.accepted).toBe(9);
    expect(() =>
      s.history.recordMinute({
        minute: t0 + 1,
        scope: 'farm',
        key: '',
        accepted: 1,
        acceptedDifficulty: 1,
        rejected: {},
      }),
    ).toThrow(RangeError);
    s.prune((t0 + 60 + 10 * 60) * 1000); // keeps the last 10 minutes: t0+60 stays, t0 goes
    expect(s.history.history('worker', 'acme.w1', 0).map((r) => r.minute)).toEqual([t0 + 60]);
    s.close();
  });

  it('events: newest first, paged, bounded', () => {
    const s = open({ maxEvents: 3 });
    for (let i = 1; i <= 5; i++)
      s.events.add({ at: i, kind: 'connect', subject: `m${i}`, ...(i === 5 ? { detail: 'x' } : {}) });
    expect(s.events.list(2).map((e) => e.subject)).toEqual(['m5', 'm4']);
    expect(s.events.list(10)[0]).toEqual({ id: 5, at: 5, kind: 'connect', subject: 'm5', detail: 'x' });
    expect(s.events.list(2, 4).map((e) => e.id)).toEqual([3, 2]);
    s.prune();
    expect(s.events.list(10).map((e) => e.id)).toEqual([5, 4, 3]);
    s.close();
  });

  it('inventory keeps first_seen and the newest known fields', () => {
    const s = open();
    s.inventory.upsert({
      address: '10.0.0.17',
      mac: 'aa:bb',
      make: 'Bitmain',
      model: 'S19',
      firstSeen: 1,
      lastSeen: 1,
    });
    s.inventory.upsert({
      address: '10.0.0.17',
      firmware: 'braiins',
      firstSeen: 9,
      lastSeen: 9,
      lastStatus: '{"ok":true}',
    });
    expect(s.inventory.list()).toEqual([
      {
        address: '10.0.0.17',
        mac: 'aa:bb',
        make: 'Bitmain',
        model: 'S19',
        firmware: 'braiins',
        firstSeen: 1,
        lastSeen: 9,
        lastStatus: '{"ok":true}',
      },
    ]);
    s.close();
  });
});
