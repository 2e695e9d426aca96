import type Database from 'better-sqlite3';

// Per-minute share history for the TUI's charts: the farm total, each worker, each miner. Recording
// the same (scope, key, minute) again adds to it, so a caller can flush partial minutes.

export type HistoryScope = 'farm' | 'worker' | 'miner';

export interface MinuteRecord {
  /** Unix seconds of the minute's start (a multiple of 60). */
  readonly minute: number;
  readonly scope: HistoryScope;
  /** '' for the farm, the worker name, or the miner's address. */
  readonly key: string;
  readonly accepted: number;
  readonly acceptedDifficulty: number;
  /** Reject counts by reason. */
  readonly rejected: Readonly<Record<string, number>>;
}

interface Row {
  scope: HistoryScope;
  key: string;
  minute: number;
  accepted: number;
  accepted_difficulty: number;
  rejected: string;
}

export class MinuteHistory {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #range: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM history WHERE scope = ? AND key = ? AND minute = ?');
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO history (scope, key, minute, accepted, accepted_difficulty, rejected)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#range = db.prepare(
      'SELECT * FROM history WHERE scope = ? AND key = ? AND minute >= ? ORDER BY minute',
    );
  }

  /** Adds a batch of minute records in one transaction. */
  recordMinutes(records: readonly MinuteRecord[]): void {
    this.#db.transaction(() => {
      for (const r of records) this.#add(r);
    })();
  }

  recordMinute(r: MinuteRecord): void {
    this.recordMinutes([r]);
  }

  #add(r: MinuteRecord): void {
    if (r.minute % 60 !== 0) throw new RangeError(`minute ${r.minute} is not a multiple of 60`);
    const old = this.#get.get(r.scope, r.key, r.minute) as Row | undefined;
    const rejected: Record<string, number> = old ? (JSON.parse(old.rejected) as Record<string, number>) : {};
    for (const [reason, n] of Object.entries(r.rejected)) rejected[reason] = (rejected[reason] ?? 0) + n;
    this.#put.run(
      r.scope,
      r.key,
      r.minute,
      (old?.accepted ?? 0) + r.accepted,
      (old?.accepted_difficulty ?? 0) + r.acceptedDifficulty,
      JSON.stringify(rejected),
    );
  }

  /** The minutes of one series from `fromMinute` on, oldest first. */
  history(scope: HistoryScope, key: string, fromMinute: number): MinuteRecord[] {
    return (this.#range.all(scope, key, fromMinute) as Row[]).map((r) => ({
      minute: r.minute,
      scope: r.scope,
      key: r.key,
      accepted: r.accepted,
      acceptedDifficulty: r.accepted_difficulty,
      rejected: JSON.parse(r.rejected) as Record<string, number>,
    }));
  }

  deleteBefore(minute: number): number {
    return this.#db.prepare('DELETE FROM history WHERE minute < ?').run(minute).changes;
  }
}
