// The metarelay's side of the stats link from gateways: a batch is answered ACK only once it is fsync'd
// in the relay's spool, so the gateway may forget it. Batch ids (source, seq) pass through unchanged:
// the metawriter's duplicate markers keep delivery exactly-once however often a batch is resent. A
// resend of a batch still waiting in the spool is acked without spooling it twice.
import { batchId, type StatsBatch } from '@farmhand/core/stats';
import { fail, ok, type Result } from '@farmhand/core';
import type { BatchTaker } from '../metawriter/stats-listener.js';
import type { StatsSpool } from '../stats-link/index.js';

export type IntakeCode = 'SPOOL_FULL';

export class RelayIntake implements BatchTaker {
  /** Batch id → spool key, for the batches not yet acked by the metawriter. */
  readonly #pending = new Map<string, number>();
  readonly #byKey = new Map<number, string>();
  received = 0;
  resends = 0;
  refused = 0;

  constructor(
    private readonly spool: StatsSpool,
    private readonly spooled: () => void,
  ) {
    // After a restart the spool still holds what the metawriter never acked.
    for (let after = -1; ;) {
      const keys = spool.next(after, 1024);
      if (keys.length === 0) break;
      for (const key of keys) {
        const b = spool.read(key);
        if (b) this.#remember(batchId(b), key);
        after = key;
      }
    }
  }

  get pending(): number {
    return this.#pending.size;
  }

  submit(batch: StatsBatch): Promise<Result<'applied' | 'duplicate', IntakeCode>> {
    this.received += 1;
    const id = batchId(batch);
    if (this.#pending.has(id)) {
      this.resends += 1;
      return Promise.resolve(ok('applied'));
    }
    const key = this.spool.takeSeq();
    if (!this.spool.append(batch, key)) {
      this.refused += 1;
      return Promise.resolve(
        fail('SPOOL_FULL', 'the metarelay spool is full (metawriter away too long); keep the batch'),
      );
    }
    this.#remember(id, key);
    this.spooled();
    return Promise.resolve(ok('applied'));
  }

  /** The metawriter took the batch under `key`. */
  acked(key: number): void {
    const id = this.#byKey.get(key);
    if (id === undefined) return;
    this.#byKey.delete(key);
    this.#pending.delete(id);
  }

  #remember(id: string, key: number): void {
    this.#pending.set(id, key);
    this.#byKey.set(key, id);
  }
}
