import type Database from 'better-sqlite3';

// Discovered devices (placeholder for the discovery work): one row per address.

export interface InventoryEntry {
  readonly address: string;
  readonly mac?: string;
  readonly make?: string;
  readonly model?: string;
  readonly firmware?: string;
  readonly version?: string;
  readonly serial?: string;
  /** ms since the epoch. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** The last normalized status, as JSON text. */
  readonly lastStatus?: string;
}

interface Row {
  address: string;
  mac: string | null;
  make: string | null;
  model: string | null;
  firmware: string | null;
  version: string | null;
  serial: string | null;
  first_seen: number;
  last_seen: number;
  last_status: string | null;
}

export class Inventory {
  readonly #upsert: Database.Statement;
  readonly #all: Database.Statement;

  constructor(db: Database.Database) {
    // first_seen is kept from the first sighting; other fields take the newest non-null value.
    this.#upsert = db.prepare(
      `INSERT INTO inventory (address, mac, make, model, firmware, version, serial, first_seen, last_seen, last_status)
       VALUES (@address, @mac, @make, @model, @firmware, @version, @serial, @firstSeen, @lastSeen, @lastStatus)
       ON CONFLICT (address) DO UPDATE SET
         mac = coalesce(excluded.mac, mac), make = coalesce(excluded.make, make),
         model = coalesce(excluded.model, model), firmware = coalesce(excluded.firmware, firmware),
         version = coalesce(excluded.version, version), serial = coalesce(excluded.serial, serial),
         last_seen = excluded.last_seen, last_status = coalesce(excluded.last_status, last_status)`,
    );
    this.#all = db.prepare('SELECT * FROM inventory ORDER BY address');
  }

  upsert(e: InventoryEntry): void {
    this.#upsert.run({
      address: e.address,
      mac: e.mac ?? null,
      make: e.make ?? null,
      model: e.model ?? null,
      firmware: e.firmware ?? null,
      version: e.version ?? null,
      serial: e.serial ?? null,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      lastStatus: e.lastStatus ?? null,
    });
  }

  list(): InventoryEntry[] {
    return (this.#all.all() as Row[]).map((r) => {
      const e: Record<string, unknown> = {
        address: r.address,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      };
      if (r.mac !== null) e.mac = r.mac;
      if (r.make !== null) e.make = r.make;
      if (r.model !== null) e.model = r.model;
      if (r.firmware !== null) e.firmware = r.firmware;
      if (r.version !== null) e.version = r.version;
      if (r.serial !== null) e.serial = r.serial;
      if (r.last_status !== null) e.lastStatus = r.last_status;
      return e as unknown as InventoryEntry;
    });
  }
}
