// The audit log of device changes (table device_audit, store migration 3): one row per pool change or
// restart the agent sent, applied or refused, with the pool lists before and after.
import type Database from 'better-sqlite3';

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly address: string;
  readonly make: string | null;
  readonly action: 'adopt' | 'repoint' | 'restart';
  readonly worker: string | null;
  readonly from: string[];
  readonly to: string[];
  readonly ok: boolean;
  readonly error: string | null;
}

interface Row {
  id: number;
  at: number;
  address: string;
  make: string | null;
  action: AuditEntry['action'];
  worker: string | null;
  from_pools: string;
  to_pools: string;
  ok: number;
  error: string | null;
}

export class DeviceAudit {
  readonly #insert: Database.Statement;
  readonly #list: Database.Statement;
  readonly #byWorker: Database.Statement;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(
      `INSERT INTO device_audit (at, address, make, action, worker, from_pools, to_pools, ok, error)
       VALUES (@at, @address, @make, @action, @worker, @from, @to, @ok, @error)`,
    );
    this.#list = db.prepare('SELECT * FROM device_audit ORDER BY id DESC LIMIT ?');
    this.#byWorker = db.prepare(
      `SELECT address FROM device_audit WHERE worker = ? AND ok = 1 AND action IN ('adopt', 'repoint')
       ORDER BY id DESC LIMIT 1`,
    );
  }

  /** The device last given this worker name by an applied adopt or repoint. */
  addressOfWorker(worker: string): string | null {
    const row = this.#byWorker.get(worker) as { address: string } | undefined;
    return row?.address ?? null;
  }

  record(e: Omit<AuditEntry, 'id'>): void {
    this.#insert.run({
      at: e.at,
      address: e.address,
      make: e.make,
      action: e.action,
      worker: e.worker,
      from: JSON.stringify(e.from),
      to: JSON.stringify(e.to),
      ok: e.ok ? 1 : 0,
      error: e.error,
    });
  }

  /** Newest first. */
  list(limit = 200): AuditEntry[] {
    return (this.#list.all(limit) as Row[]).map((r) => ({
      id: r.id,
      at: r.at,
      address: r.address,
      make: r.make,
      action: r.action,
      worker: r.worker,
      from: JSON.parse(r.from_pools) as string[],
      to: JSON.parse(r.to_pools) as string[],
      ok: r.ok === 1,
      error: r.error,
    }));
  }
}
