// The metawriter's core: takes typed stats batches, writes them to Redis in the seed's format and says
// when each is durable. It knows nothing of sockets; a listener (or a test) calls submit() and acks the
// sender only when the returned promise says 'applied' or 'duplicate'.
import { batchId, type StatsBatch } from '@farmhand/core/stats';
import { fail, ok, type Result } from '@farmhand/core';
import { RecentBatches } from './recent-batches.js';
import type { StatsSink, WriteAttempt } from './redis-sink.js';
import { planWrites, PlanState } from './write-plan.js';

export type SubmitCode = 'BACKLOG_FULL' | 'WRITER_CLOSED';
export type SubmitOutcome = 'applied' | 'duplicate';

export interface StatsWriterOptions {
  /** Prefix of the per-batch marker keys (`<prefix>:<source>:<seq>`). */
  readonly markerPrefix: string;
  /** How long Redis remembers an applied batch (the seed's dup_timeout, 3600 s). */
  readonly markerTtlSeconds: number;
  /** Batches waiting for Redis; beyond this submit() refuses and the sender keeps its copy. */
  readonly maxBacklogBatches: number;
  /** Batch ids remembered in memory. */
  readonly recentCapacity: number;
  /** Commands per Redis write (a batch is never split, so one big batch may exceed it). */
  readonly maxOpsPerWrite: number;
  /** Wait this long after the first pending batch so several are merged into one write. */
  readonly lingerMs: number;
  readonly keySetRefreshSeconds: number;
  readonly newWorkerPeriodSeconds: number;
  /** Retry delay after a Redis failure grows from retryMinMs to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Unix seconds; tests may pin it. */
  readonly now?: () => number;
  readonly onEvent?: (e: WriterEvent) => void;
}

export type WriterEvent =
  | { readonly type: 'redis_error'; readonly message: string; readonly failures: number }
  | { readonly type: 'redis_recovered'; readonly failures: number }
  | { readonly type: 'refused'; readonly commands: readonly string[] };

export const DEFAULT_WRITER_OPTIONS: StatsWriterOptions = {
  markerPrefix: 'metawriter:batch',
  markerTtlSeconds: 3600,
  maxBacklogBatches: 10_000,
  recentCapacity: 100_000,
  maxOpsPerWrite: 20_000,
  lingerMs: 20,
  keySetRefreshSeconds: 3600,
  newWorkerPeriodSeconds: 3600,
  retryMinMs: 100,
  retryMaxMs: 2000,
};

interface Pending {
  readonly id: string;
  readonly batch: StatsBatch;
  readonly waiters: ((r: Result<SubmitOutcome, SubmitCode>) => void)[];
}

export interface WriterCounters {
  readonly backlog: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly redisFailures: number;
  readonly writes: number;
  readonly commands: number;
}

export class StatsWriter {
  private readonly opts: StatsWriterOptions;
  private readonly queue = new Map<string, Pending>();
  private readonly recent: RecentBatches;
  private readonly state: PlanState;
  private running = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private drained: (() => void)[] = [];
  private counters = { applied: 0, duplicates: 0, redisFailures: 0, writes: 0, commands: 0 };

  constructor(
    private readonly sink: StatsSink,
    options: Partial<StatsWriterOptions> = {},
  ) {
    this.opts = { ...DEFAULT_WRITER_OPTIONS, ...options };
    this.recent = new RecentBatches(this.opts.recentCapacity);
    this.state = new PlanState(this.opts);
  }

  submit(batch: StatsBatch): Promise<Result<SubmitOutcome, SubmitCode>> {
    const id = batchId(batch);
    if (this.recent.has(id)) {
      this.counters.duplicates++;
      return Promise.resolve(ok('duplicate'));
    }
    if (this.closed) return Promise.resolve(fail('WRITER_CLOSED', 'the metawriter is shutting down'));
    return new Promise((resolve) => {
      const pending = this.queue.get(id);
      if (pending) {
        // The same batch resent while the first copy waits: both get the first copy's answer.
        pending.waiters.push(resolve);
        return;
      }
      if (this.queue.size >= this.opts.maxBacklogBatches) {
        resolve(
          fail(
            'BACKLOG_FULL',
            `${this.queue.size} batches wait for Redis (limit ${this.opts.maxBacklogBatches}); keep the batch and resend`,
          ),
        );
        return;
      }
      this.queue.set(id, { id, batch, waiters: [resolve] });
      this.schedule();
    });
  }

  get counts(): WriterCounters {
    return { backlog: this.queue.size, ...this.counters };
  }

  /** Resolve once every accepted batch is in Redis; new submissions are refused from now on. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.size === 0 && !this.running) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.opts.lingerMs);
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Math.floor(Date.now() / 1000);
  }

  private async run(): Promise<void> {
    this.running = true;
    let failures = 0;
    while (this.queue.size > 0) {
      const group = this.takeGroup();
      let plan = planWrites(
        group.map((p) => p.batch),
        this.state,
        this.now(),
      );
      let attempt: WriteAttempt = {
        markers: group.map((p) => `${this.opts.markerPrefix}:${p.id}`),
        ops: plan.ops,
        done: new Set(),
      };
      for (;;) {
        const r = await this.sink.apply(attempt, this.opts.markerTtlSeconds);
        if (!r.ok) {
          failures++;
          this.counters.redisFailures++;
          this.opts.onEvent?.({ type: 'redis_error', message: r.error.message, failures });
          const delay = Math.min(
            this.opts.retryMaxMs,
            this.opts.retryMinMs * 2 ** Math.min(failures - 1, 10),
          );
          await new Promise((res) => setTimeout(res, delay));
          continue;
        }
        if (failures > 0) this.opts.onEvent?.({ type: 'redis_recovered', failures });
        failures = 0;
        if (r.value.duplicates.length > 0) {
          // Some batches were applied before (a replay after our restart): answer them, write the rest.
          const dup = new Set(r.value.duplicates);
          for (const [i, p] of group.entries()) if (dup.has(i)) this.finish(p, 'duplicate');
          const rest = group.filter((_, i) => !dup.has(i));
          group.length = 0;
          group.push(...rest);
          if (group.length === 0) break;
          plan = planWrites(
            group.map((p) => p.batch),
            this.state,
            this.now(),
          );
          attempt = {
            markers: group.map((p) => `${this.opts.markerPrefix}:${p.id}`),
            ops: plan.ops,
            done: new Set(),
          };
          continue;
        }
        if (r.value.refused.length > 0) this.opts.onEvent?.({ type: 'refused', commands: r.value.refused });
        plan.commit();
        this.counters.writes++;
        this.counters.commands += plan.ops.length;
        for (const p of group) this.finish(p, 'applied');
        break;
      }
    }
    this.running = false;
    for (const d of this.drained.splice(0)) d();
  }

  /** The oldest pending batches whose commands fit one write (at least one batch). */
  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let ops = 0;
    for (const p of this.queue.values()) {
      // Each share record yields up to ~8 commands; a cheap estimate keeps writes near the limit.
      const cost = p.batch.records.length * 8;
      if (group.length > 0 && ops + cost > this.opts.maxOpsPerWrite) break;
      group.push(p);
      ops += cost;
    }
    return group;
  }

  private finish(p: Pending, outcome: SubmitOutcome): void {
    this.queue.delete(p.id);
    this.recent.add(p.id);
    if (outcome === 'applied') this.counters.applied++;
    else this.counters.duplicates++;
    for (const w of p.waiters) w(ok(outcome));
  }
}
