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

/** Events: 'verdict' ({pool, verdict}), 'tip' (the NEW_TIP body sent). */
export class Poolbench extends EventEmitter {
  readonly #log: Logger;
  readonly #vote: TipVote;
  readonly #notifier: JobmasterNotifier;
  readonly #watchers: PoolWatcher[];
  #ours: OurWork | null = null;

  constructor(config: PoolbenchConfig, log: Logger) {
    super();
    this.#log = log;
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
  }

  #onNotify(pool: WatchedPool, job: StratumJob): void {
    const verdict: Verdict = this.#vote.observe(pool.name, pool.trusted, job, this.#ours);
    this.emit('verdict', { pool: pool.name, verdict });
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
