// Per-minute stats of the gateway (per user and worker, plus monitor counters) → batches → the disk
// spool → the metawriter. Events (blocks, connections) leave within a second; share sums once their
// minute has closed.
import { MinuteAggregator, type StatsBatch } from '@farmhand/core/stats';
import type { ShareVerdict } from '@farmhand/core/share';
import type { Logger } from 'pino';
import { StatsSender, StatsSpool } from '../stats-link/index.js';

export interface GatewayStatsOptions {
  readonly source: string;
  readonly host: string;
  readonly coin: string;
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  /** Absent: a pool without Redis (a solo miner's `farmhand-pool run`); batches are not kept. */
  readonly metawriter: { readonly host: string; readonly port: number } | undefined;
  readonly logger: Logger;
}

export class GatewayStats {
  readonly spool: StatsSpool;
  readonly sender: StatsSender;
  readonly #agg: MinuteAggregator;
  readonly #log: Logger;
  readonly #opts: GatewayStatsOptions;
  #timer: NodeJS.Timeout | undefined;
  #droppedLogged = 0;

  constructor(opts: GatewayStatsOptions) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.spool = new StatsSpool(opts.spoolDir, opts.spoolMaxBytes);
    for (const p of this.spool.problems) this.#log.error(p, 'unreadable stats batch in the spool, skipped');
    if (this.spool.pending > 0)
      this.#log.info({ pending: this.spool.pending }, 'stats spool holds batches from before the restart');
    this.#agg = new MinuteAggregator({ source: opts.source, host: opts.host, coin: opts.coin });
    // Without a metawriter the sender is never started (and the spool never written).
    this.sender = new StatsSender(this.spool, {
      ...(opts.metawriter ?? { host: '127.0.0.1', port: 0 }),
      logger: opts.logger,
    });
  }

  start(): void {
    if (this.#opts.metawriter) this.sender.start();
    this.#timer = setInterval(() => this.flush(Math.floor(Date.now() / 1000)), 1000);
    this.#timer.unref();
  }

  share(
    user: string,
    worker: string,
    verdict: ShareVerdict,
    difficulty: number,
    networkDifficulty: number,
    at: number,
  ): void {
    this.#agg.addShare({
      user,
      worker,
      time: Math.floor(at / 1000),
      accepted: verdict.kind === 'accepted',
      ...(verdict.kind === 'rejected' ? { rejectCode: verdict.code } : {}),
      difficulty: verdict.kind === 'accepted' ? verdict.difficulty : difficulty,
      networkDifficulty,
    });
  }

  counter(key: string, value = 1): void {
    this.#agg.addCounter(key, value, Math.floor(Date.now() / 1000));
  }

  /** A found block; `chain` names an aux chain (merged mining), else it is the coin's. */
  block(user: string, worker: string, hash: string, chain?: string): void {
    this.#agg.addBlock(user, worker, chain ?? this.#opts.coin.toUpperCase(), hash);
    this.counter(chain === undefined ? 'block' : 'block_aux');
  }

  connection(user: string, worker: string, peer: string, event: 'connected' | 'disconnected'): void {
    this.#agg.addConnection(user, worker, peer, event);
  }

  /** Moves closed minutes and events into the spool (`now` = Infinity drains everything). */
  flush(now: number): void {
    const batches: StatsBatch[] = [...this.#agg.takeEvents(), ...this.#agg.takeClosedMinutes(now)];
    if (batches.length === 0 || !this.#opts.metawriter) return;
    for (const b of batches) {
      if (!this.spool.append({ ...b, seq: this.spool.takeSeq() })) {
        if (this.spool.dropped > this.#droppedLogged) {
          this.#droppedLogged = this.spool.dropped;
          this.#log.fatal(
            { dropped: this.spool.dropped, records: this.spool.droppedRecords, spoolBytes: this.spool.bytes },
            'stats spool full: batches dropped (the metawriter has been away too long)',
          );
        }
      }
    }
    this.sender.pump();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.flush(Infinity);
    // Give in-flight batches a moment to be acked; whatever is not stays in the spool for next time.
    const until = Date.now() + 2000;
    while (this.spool.pending > 0 && this.sender.connected && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    this.sender.close();
    this.spool.close();
  }
}
