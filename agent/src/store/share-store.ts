import type Database from 'better-sqlite3';
import { fail, ok, type Result } from '@farmhand/core';
import type { NewShareRecord, ShareRecord } from '../upstream/share-record.js';
import { openDatabase, type OpenErrorCode, type OpenOptions } from './agent-database.js';
import { EventLog } from './event-log.js';
import { Inventory } from './inventory.js';
import { MinuteHistory } from './minute-history.js';

// The agent's durable buffer (docs/store.md). append() commits before it returns, so the caller can
// then acknowledge the miner. Rows leave only through ack() (the upstream decided them). When the
// buffer is full, append() refuses: a share the miner was told is accepted is never dropped.

export const DEFAULT_MAX_PENDING_SHARES = 1_000_000;

export interface ShareStoreOptions extends OpenOptions {
  /** Most shares held un-acknowledged; append() answers STORE_FULL beyond it. */
  readonly maxPendingShares?: number;
  /** Minutes of history kept by prune(). Default 7 days. */
  readonly historyRetentionMinutes?: number;
  /** Events kept by prune(). Default 100,000. */
  readonly maxEvents?: number;
}

export type AppendErrorCode = 'STORE_FULL';

interface ShareRow {
  seq: number;
  account: string;
  worker: string;
  job_id: string;
  extranonce2: string;
  ntime: string;
  nonce: string;
  version_bits: string | null;
  difficulty: number;
  share_difficulty: number | null;
  block: number;
  at: number;
  upstream: string | null;
}

export class ShareStore {
  readonly events: EventLog;
  readonly history: MinuteHistory;
  readonly inventory: Inventory;
  readonly maxPendingShares: number;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #pending: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #markSent: Database.Statement;
  readonly #bumpCounter: Database.Statement;
  readonly #historyRetention: number;
  readonly #maxEvents: number;
  #count: number;

  static open(path: string, options: ShareStoreOptions = {}): Result<ShareStore, OpenErrorCode> {
    const db = openDatabase(path, options);
    return db.ok ? ok(new ShareStore(db.value, options)) : db;
  }

  private constructor(db: Database.Database, options: ShareStoreOptions) {
    this.#db = db;
    this.maxPendingShares = options.maxPendingShares ?? DEFAULT_MAX_PENDING_SHARES;
    this.#historyRetention = options.historyRetentionMinutes ?? 7 * 24 * 60;
    this.#maxEvents = options.maxEvents ?? 100_000;
    this.#insert = db.prepare(
      `INSERT INTO shares (account, worker, job_id, extranonce2, ntime, nonce, version_bits, difficulty, share_difficulty, block, at, upstream)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#pending = db.prepare('SELECT * FROM shares WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#delete = db.prepare('DELETE FROM shares WHERE seq = ?');
    this.#markSent = db.prepare('UPDATE shares SET sent_at = ? WHERE seq = ?');
    this.#bumpCounter = db.prepare(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
    );
    this.#count = (db.prepare('SELECT COUNT(*) AS n FROM shares').get() as { n: number }).n;
    this.events = new EventLog(db);
    this.history = new MinuteHistory(db);
    this.inventory = new Inventory(db);
  }

  /** Shares held, not yet acknowledged upstream. */
  get depth(): number {
    return this.#count;
  }

  /** Stores a share durably (committed when this returns) and gives its sequence number. */
  append(r: NewShareRecord): Result<number, AppendErrorCode> {
    if (this.#count >= this.maxPendingShares) {
      this.#bumpCounter.run('shares_refused_full', 1);
      return fail(
        'STORE_FULL',
        `the share buffer holds ${this.#count} un-acknowledged shares (limit ${this.maxPendingShares}): no upstream has taken shares for a long time`,
      );
    }
    const seq = this.#insertRow(r);
    this.#count++;
    return ok(seq);
  }

  /**
   * Stores several shares in one transaction (one fsync under FULL): all or, when the buffer lacks
   * room for all of them, none.
   */
  appendMany(records: readonly NewShareRecord[]): Result<number[], AppendErrorCode> {
    if (this.#count + records.length > this.maxPendingShares) {
      this.#bumpCounter.run('shares_refused_full', records.length);
      return fail(
        'STORE_FULL',
        `the share buffer holds ${this.#count} un-acknowledged shares (limit ${this.maxPendingShares}): no upstream has taken shares for a long time`,
      );
    }
    const seqs: number[] = [];
    this.#db.transaction(() => {
      for (const r of records) seqs.push(this.#insertRow(r));
    })();
    this.#count += seqs.length;
    return ok(seqs);
  }

  #insertRow(r: NewShareRecord): number {
    const info = this.#insert.run(
      r.account,
      r.worker,
      r.jobId,
      r.extranonce2,
      r.ntime,
      r.nonce,
      r.versionBits ?? null,
      r.difficulty,
      r.shareDifficulty ?? null,
      r.block ? 1 : 0,
      r.at,
      r.upstream ?? null,
    );
    return Number(info.lastInsertRowid);
  }

  /** Up to `limit` un-acknowledged shares in seq order, starting after `afterSeq`. */
  pending(limit: number, afterSeq = 0): ShareRecord[] {
    return (this.#pending.all(afterSeq, limit) as ShareRow[]).map(toRecord);
  }

  /** Deletes acknowledged shares (accepted or rejected upstream); returns how many were held. */
  ack(seqs: Iterable<number>): number {
    let n = 0;
    this.#db.transaction(() => {
      for (const seq of seqs) n += this.#delete.run(seq).changes;
    })();
    this.#count -= n;
    return n;
  }

  /** Notes when shares went out (diagnostics: how long shares wait for an ack). */
  markSent(seqs: Iterable<number>, atMs = Date.now()): void {
    this.#db.transaction(() => {
      for (const seq of seqs) this.#markSent.run(atMs, seq);
    })();
  }

  counter(name: string): number {
    const row = this.#db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
      { value: number } | undefined;
    return row?.value ?? 0;
  }

  /** Applies the retention of history and events. Call every few minutes. */
  prune(nowMs = Date.now()): void {
    const nowMinute = Math.floor(nowMs / 60_000) * 60;
    this.history.deleteBefore(nowMinute - this.#historyRetention * 60);
    this.events.keepNewest(this.#maxEvents);
  }

  close(): void {
    this.#db.close();
  }
}

function toRecord(r: ShareRow): ShareRecord {
  return {
    seq: r.seq,
    account: r.account,
    worker: r.worker,
    jobId: r.job_id,
    extranonce2: r.extranonce2,
    ntime: r.ntime,
    nonce: r.nonce,
    ...(r.version_bits === null ? {} : { versionBits: r.version_bits }),
    difficulty: r.difficulty,
    ...(r.share_difficulty === null ? {} : { shareDifficulty: r.share_difficulty }),
    block: r.block === 1,
    at: r.at,
    ...(r.upstream === null ? {} : { upstream: r.upstream }),
  };
}
