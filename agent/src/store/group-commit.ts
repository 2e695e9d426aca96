import type { Result } from '@farmhand/core';
import type { NewShareRecord } from '../upstream/share-record.js';
import type { AppendErrorCode, ShareStore } from './share-store.js';

// Group commit: shares that arrive in the same event-loop turn are written in one transaction, so
// synchronous=FULL costs one fsync per turn instead of one per share. Each caller's promise settles
// after the commit, i.e. when it may tell the miner "accepted" (see docs/store.md for the figures).

interface Waiter {
  readonly record: NewShareRecord;
  readonly resolve: (r: Result<number, AppendErrorCode>) => void;
}

export class GroupCommit {
  readonly #store: ShareStore;
  readonly #maxBatch: number;
  #queue: Waiter[] = [];
  #scheduled = false;

  constructor(store: ShareStore, maxBatch = 1000) {
    this.#store = store;
    this.#maxBatch = maxBatch;
  }

  append(record: NewShareRecord): Promise<Result<number, AppendErrorCode>> {
    return new Promise((resolve) => {
      this.#queue.push({ record, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      const r = this.#store.appendMany(batch.map((w) => w.record));
      if (r.ok) batch.forEach((w, i) => w.resolve({ ok: true, value: r.value[i]! }));
      // Not enough room for the whole batch: fall back to one by one, so what fits is kept.
      else for (const w of batch) w.resolve(this.#store.append(w.record));
    }
  }
}
