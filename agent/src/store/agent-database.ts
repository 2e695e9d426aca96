import Database from 'better-sqlite3';
import { fail, ok, type Result } from '@farmhand/core';
import { MIGRATIONS, type Migration } from './migrations.js';

// Opens the agent's SQLite file: WAL, the chosen synchronous level, and the migrations.

export type Synchronous = 'FULL' | 'NORMAL';
export type OpenErrorCode = 'STORE_OPEN_FAILED' | 'STORE_TOO_NEW' | 'MIGRATION_FAILED';

export interface OpenOptions {
  /**
   * FULL (default): each commit fsyncs the WAL, so a share acknowledged to a miner survives a power
   * cut. NORMAL survives a process crash (kill -9) but may lose the last commits on power loss.
   */
  readonly synchronous?: Synchronous;
  readonly migrations?: readonly Migration[];
}

export function openDatabase(
  path: string,
  options: OpenOptions = {},
): Result<Database.Database, OpenErrorCode> {
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (e) {
    return fail('STORE_OPEN_FAILED', `cannot open the agent database ${path}: ${(e as Error).message}`);
  }
  const migrated = migrate(db, options.migrations ?? MIGRATIONS);
  if (!migrated.ok) {
    db.close();
    return migrated;
  }
  return ok(db);
}

/** Applies the migrations newer than schema_version, each in its own transaction. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
): Result<number, OpenErrorCode> {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    return fail(
      'STORE_TOO_NEW',
      `the database has schema version ${current} but this agent knows only up to ${latest}: a newer agent wrote it; upgrade the agent or move the data directory aside`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('DELETE FROM schema_version').run();
        db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
      })();
    } catch (e) {
      return fail('MIGRATION_FAILED', `schema migration ${m.version} failed: ${(e as Error).message}`);
    }
  }
  return ok(latest);
}
