import type Database from 'better-sqlite3';

// Agent events (miner connect/disconnect, upstream failover, store refusals) for the control API.

export interface AgentEvent {
  readonly id: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly kind: string;
  /** What it is about: a worker name, a miner address, an upstream name. */
  readonly subject: string;
  readonly detail?: string;
}

export class EventLog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #list: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO events (at, kind, subject, detail) VALUES (?, ?, ?, ?)');
    this.#list = db.prepare('SELECT * FROM events WHERE id < ? ORDER BY id DESC LIMIT ?');
  }

  add(e: Omit<AgentEvent, 'id'>): number {
    return Number(this.#insert.run(e.at, e.kind, e.subject, e.detail ?? null).lastInsertRowid);
  }

  /** Newest first; page with `beforeId`. */
  list(limit: number, beforeId = Number.MAX_SAFE_INTEGER): AgentEvent[] {
    return (this.#list.all(beforeId, limit) as (AgentEvent & { detail: string | null })[]).map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      subject: r.subject,
      ...(r.detail === null ? {} : { detail: r.detail }),
    }));
  }

  keepNewest(max: number): void {
    this.#db.prepare('DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?').run(max);
  }
}
