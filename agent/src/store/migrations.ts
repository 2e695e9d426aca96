// Schema migrations, applied in order; schema_version holds the last one applied. Never edit a
// released migration: add a new one. Minutes are unix seconds of the minute's start (multiple of 60).

export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- AUTOINCREMENT: a seq is never reused after deletes, so the gateway's per-seq dedup stays exact.
      CREATE TABLE shares (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        worker TEXT NOT NULL,
        job_id TEXT NOT NULL,
        extranonce2 TEXT NOT NULL,
        ntime TEXT NOT NULL,
        nonce TEXT NOT NULL,
        version_bits TEXT,
        difficulty REAL NOT NULL,
        share_difficulty REAL,
        block INTEGER NOT NULL,
        at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX events_at ON events (at);
      CREATE TABLE history (
        scope TEXT NOT NULL CHECK (scope IN ('farm', 'worker', 'miner')),
        key TEXT NOT NULL,
        minute INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        accepted_difficulty REAL NOT NULL,
        rejected TEXT NOT NULL,
        PRIMARY KEY (scope, key, minute)
      ) WITHOUT ROWID;
      CREATE INDEX history_minute ON history (minute);
      CREATE TABLE inventory (
        address TEXT PRIMARY KEY,
        mac TEXT,
        make TEXT,
        model TEXT,
        firmware TEXT,
        version TEXT,
        serial TEXT,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        last_status TEXT
      );
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    // The upstream whose work a share was mined on: it can be credited only there.
    sql: `ALTER TABLE shares ADD COLUMN upstream TEXT;`,
  },
  {
    version: 3,
    // Every pool change the agent applied to a device (adopt, repoint) and every restart it asked for.
    sql: `
      CREATE TABLE device_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        address TEXT NOT NULL,
        make TEXT,
        action TEXT NOT NULL,
        worker TEXT,
        from_pools TEXT NOT NULL,
        to_pools TEXT NOT NULL,
        ok INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX device_audit_address ON device_audit (address, at);
    `,
  },
];
