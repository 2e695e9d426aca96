// poolbench: watches other pools' jobs and tells our jobmasters about a new tip the moment enough of
// them (or one trusted pool) move to it, before our own node has it.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { StratumJob } from '@farmhand/core/stratum';
import { JobmasterNotifier } from '../bitpeer/jobmaster-notifier.js';
import type { JobMessage } from '../jobmaster/wire.js';
import type { PoolbenchConfig, WatchedPool } from './config.js';
import { PoolWatcher } from './pool-watcher.js';
import { TipVote, type OurWork, type Verdict } from './tip-vote.js';

/**
 * Events: 'verdict' ({pool, verdict}), 'tip' (the NEW_TIP body sent), 'behind' ({height, ms}: other
 * pools are on a tip our jobmaster has not reached for maxDelayMs), 'caught-up' ({height, ms}),
 * 'empty-mining' ({pool, ms}: how long a pool mined empty blocks after a new tip).
 */
export class Poolbench extends EventEmitter {
  readonly #log: Logger;
  readonly #vote: TipVote;
  readonly #notifier: JobmasterNotifier;
  readonly #watchers: PoolWatcher[];
  #ours: OurWork | null = null;
  /** A tip other pools are on and our jobmaster is not: since when, and the alarm. */
  #behind: { height: number; since: number; timer: NodeJS.Timeout } | null = null;
  /** Per pool: when it sent a clean job without transactions (empty-block mining started). */
  readonly #emptySince = new Map<string, number>();
  readonly #maxDelayMs: number;

  constructor(config: PoolbenchConfig, log: Logger) {
    super();
    this.#log = log;
    this.#maxDelayMs = config.maxDelayMs;
    this.#vote = new TipVote(config.quorum);
    this.#notifier = new JobmasterNotifier(config.jobmasters, 'poolbench', config.reconnectMs, log, (j) =>
      this.#onOurJob(j),
    );
    this.#watchers = config.pools.map(
      (p) => new PoolWatcher(p, config, log, (pool, job) => this.#onNotify(pool, job)),
    );
  }

  start(): void {
    this.#notifier.start();
    for (const w of this.#watchers) w.start();
  }

  stop(): void {
    if (this.#behind) clearTimeout(this.#behind.timer);
    for (const w of this.#watchers) w.stop();
    this.#notifier.stop();
  }

  get ours(): OurWork | null {
    return this.#ours;
  }

  pools(): { name: string; connected: boolean; notifies: number }[] {
    return this.#watchers.map((w) => ({ name: w.pool.name, connected: w.connected, notifies: w.notifies }));
  }

  #onOurJob(job: JobMessage): void {
    // The highest work any of our jobmasters mines is "ours".
    if (!this.#ours || job.height >= this.#ours.height)
      this.#ours = { height: job.height, prevhash: job.prevhash };
    const b = this.#behind;
    if (b && job.height > b.height) {
      clearTimeout(b.timer);
      this.#behind = null;
      const ms = Date.now() - b.since;
      this.#log.info({ height: b.height, ms }, 'our jobmaster reached the tip other pools were on');
      this.emit('caught-up', { height: b.height, ms });
    }
  }

  /** Other pools mine on top of height `height` (= the height we mine): start the lag clock. */
  #otherPoolsAhead(height: number): void {
    if (this.#behind && this.#behind.height >= height) return;
    if (this.#behind) clearTimeout(this.#behind.timer);
    const since = Date.now();
    const timer = setTimeout(() => {
      this.#log.fatal(
        { height, ms: this.#maxDelayMs },
        `other pools have been on block ${height} for ${this.#maxDelayMs} ms and our jobmaster has not`,
      );
      this.emit('behind', { height, ms: Date.now() - since });
    }, this.#maxDelayMs);
    this.#behind = { height, since, timer };
  }

  /** Logs how long a pool mines empty blocks: a clean job with no branch until its first job with one. */
  #trackEmptyMining(pool: string, job: StratumJob): void {
    if (job.cleanJobs && job.merkleBranch.length === 0) {
      this.#emptySince.set(pool, Date.now());
      return;
    }
    const since = this.#emptySince.get(pool);
    if (since === undefined || job.merkleBranch.length === 0) return;
    this.#emptySince.delete(pool);
    const ms = Date.now() - since;
    this.#log.info({ pool, ms }, 'pool went back to full blocks');
    this.emit('empty-mining', { pool, ms });
  }

  #onNotify(pool: WatchedPool, job: StratumJob): void {
    this.#trackEmptyMining(pool.name, job);
    const verdict: Verdict = this.#vote.observe(pool.name, pool.trusted, job, this.#ours);
    this.emit('verdict', { pool: pool.name, verdict });
    if (verdict.kind === 'wait' || verdict.kind === 'act') this.#otherPoolsAhead(verdict.claim.height);
    if (verdict.kind === 'refused') {
      this.#log.warn({ pool: pool.name, jobId: job.jobId }, `notify ignored: ${verdict.reason}`);
      return;
    }
    if (verdict.kind !== 'act') return;
    const { claim } = verdict;
    const tip = {
      height: claim.height,
      prevhash: claim.prevhash,
      bits: claim.nbits,
      curtime: Math.max(claim.ntime, Math.floor(Date.now() / 1000)),
    };
    const sent = this.#notifier.notify(tip);
    this.#log.info({ ...tip, pools: verdict.pools, jobmasters: sent }, 'new tip seen at other pools');
    this.emit('tip', tip);
  }
}
