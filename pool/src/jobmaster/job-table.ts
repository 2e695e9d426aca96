// The jobs the jobmaster has handed out, by id, so a found block can be rebuilt from its job's template.
// Bounded: the oldest are dropped (a found block on a job that old is long stale).
import type { JobRecord } from '@farmhand/core/job';

export interface JobEntry extends JobRecord {
  readonly height: number;
  readonly empty: boolean;
  readonly createdAt: number;
}

export class JobTable {
  readonly #jobs = new Map<string, JobEntry>();
  #counter = 0;
  #current: JobEntry | undefined;

  constructor(readonly capacity: number) {}

  /** The next job id: a 16-bit counter as short hex ("1", "1a", "ff3"); 0 and ids still held are skipped. */
  nextId(): string {
    for (;;) {
      this.#counter = (this.#counter + 1) & 0xffff;
      const id = this.#counter.toString(16);
      if (this.#counter !== 0 && !this.#jobs.has(id)) return id;
    }
  }

  add(entry: JobEntry): void {
    this.#jobs.set(entry.job.jobId, entry);
    this.#current = entry;
    while (this.#jobs.size > this.capacity) {
      const oldest = this.#jobs.keys().next().value as string;
      this.#jobs.delete(oldest);
    }
  }

  get(jobId: string): JobEntry | undefined {
    return this.#jobs.get(jobId);
  }

  get current(): JobEntry | undefined {
    return this.#current;
  }

  get size(): number {
    return this.#jobs.size;
  }
}
