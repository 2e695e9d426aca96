import { encodeNotify, type StratumJob } from '../stratum/index.js';

/**
 * One job's mining.notify lines, serialized once and shared by every session: the extranonce is not
 * in coinb1, so the bytes are the same for all miners. The clean and not-clean forms are built lazily.
 */
export class NotifyLines {
  #clean: string | undefined;
  #notClean: string | undefined;

  constructor(readonly job: StratumJob) {}

  /** The line with clean_jobs as the job was announced. */
  get line(): string {
    return this.get(this.job.cleanJobs);
  }

  get(clean: boolean): string {
    if (clean) return (this.#clean ??= encodeNotify({ ...this.job, cleanJobs: true }));
    return (this.#notClean ??= encodeNotify({ ...this.job, cleanJobs: false }));
  }
}
