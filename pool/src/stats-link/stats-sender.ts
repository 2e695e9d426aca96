// Drains a stats spool into the metawriter (or a metarelay) over a stats link: batches in seq order,
// a window of them in flight, each deleted from the spool only on its ACK. When the writer is away the
// spool grows; on reconnect everything unacked is sent again, oldest first. A batch the writer says
// it can never apply (NACK without retry) is logged and dropped, so one bad batch cannot block the rest.
import type { Logger } from 'pino';
import { StatsLinkClient } from '../metawriter/stats-link-client.js';
import type { StatsSpool } from './stats-spool.js';

export interface StatsSenderOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly window?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Called with the spool key of each batch the writer took (or refused for good). */
  readonly onAcked?: (key: number) => void;
}

export class StatsSender {
  readonly #spool: StatsSpool;
  readonly #opts: Required<Omit<StatsSenderOptions, 'logger' | 'onAcked'>>;
  readonly #onAcked: (key: number) => void;
  readonly #log: Logger;
  #link: StatsLinkClient | undefined;
  #connecting = false;
  #closed = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<number>();
  /** Highest seq handed to the current link. */
  #cursor = -1;
  sent = 0;
  acked = 0;

  constructor(spool: StatsSpool, opts: StatsSenderOptions) {
    this.#spool = spool;
    const { onAcked, ...rest } = opts;
    this.#opts = { window: 32, minBackoffMs: 200, maxBackoffMs: 5000, ...rest };
    this.#onAcked = onAcked ?? (() => {});
    this.#log = opts.logger;
  }

  get connected(): boolean {
    return this.#link !== undefined;
  }

  start(): void {
    void this.#connect();
  }

  /** New batches are in the spool. */
  pump(): void {
    const link = this.#link;
    if (!link) return;
    const room = this.#opts.window - this.#inFlight.size;
    if (room <= 0) return;
    for (const seq of this.#spool.next(this.#cursor, room)) {
      this.#cursor = seq;
      const batch = this.#spool.read(seq);
      if (!batch) continue;
      this.#inFlight.add(seq);
      this.sent += 1;
      void link.send(batch).then((r) => {
        this.#inFlight.delete(seq);
        if (r.ok || (r.nack && !r.nack.retry)) {
          if (!r.ok) this.#log.error({ seq, nack: r.nack }, 'stats batch refused for good; dropped');
          this.#spool.ack(seq);
          this.acked += 1;
          this.#onAcked(seq);
          this.pump();
        } else if (this.#link === link) {
          // Retryable NACK (writer backlog full) or link down: start over from the oldest unacked.
          this.#log.warn({ seq, error: r.error.message }, 'stats batch not taken; resending later');
          this.#drop(link);
        }
      });
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#link?.close();
    this.#link = undefined;
  }

  #drop(link: StatsLinkClient): void {
    if (this.#link !== link) return;
    link.close();
    this.#link = undefined;
    this.#retry();
  }

  #retry(): void {
    if (this.#closed) return;
    this.#failures += 1;
    const delay = Math.min(
      this.#opts.maxBackoffMs,
      this.#opts.minBackoffMs * 2 ** Math.min(this.#failures - 1, 8),
    );
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }

  async #connect(): Promise<void> {
    if (this.#closed || this.#connecting || this.#link) return;
    this.#connecting = true;
    try {
      const link = await StatsLinkClient.connect(this.#opts.host, this.#opts.port);
      this.#connecting = false;
      if (this.#closed) {
        link.close();
        return;
      }
      if (this.#failures > 0)
        this.#log.info({ pending: this.#spool.pending }, 'metawriter link back; replaying the spool');
      this.#failures = 0;
      this.#link = link;
      this.#cursor = -1;
      this.#inFlight.clear();
      this.pump();
    } catch (e) {
      this.#connecting = false;
      if (this.#failures === 0 || this.#failures % 30 === 0)
        this.#log.error(
          { err: (e as Error).message, pending: this.#spool.pending },
          'metawriter unreachable; stats are spooled to disk',
        );
      this.#retry();
    }
  }
}
