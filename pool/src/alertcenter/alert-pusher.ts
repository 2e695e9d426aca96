// Pushes alert lines onto the Redis list `alert:message`, in arrival order, several per RPUSH. While
// Redis is away the lines wait in a bounded queue; past the bound the oldest are dropped and counted
// (alerts come over UDP without acks, so the queue bound is the only promise we make).
import type { Cluster, Redis } from 'ioredis';
import { ALERT_LIST } from '../metawriter/redis-keys.js';

export interface AlertPusherOptions {
  readonly maxQueue: number;
  readonly maxPerPush: number;
  readonly retryMs: number;
  readonly onError?: (message: string, failures: number) => void;
}

export class AlertPusher {
  private queue: string[] = [];
  private running = false;
  private closed = false;
  private dropped = 0;
  private pushed = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly opts: AlertPusherOptions,
  ) {}

  push(line: string): void {
    if (this.closed) return;
    this.queue.push(line);
    if (this.queue.length > this.opts.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    if (!this.running) void this.run();
  }

  get counts(): { queued: number; pushed: number; dropped: number } {
    return { queued: this.queue.length, pushed: this.pushed, dropped: this.dropped };
  }

  /** Dropped lines since the last call (to report them as an alert of their own). */
  takeDropped(): number {
    const d = this.dropped;
    this.dropped = 0;
    return d;
  }

  /** Resolve when the queue is empty (or at once when it is). */
  async drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private async run(): Promise<void> {
    this.running = true;
    let failures = 0;
    while (this.queue.length > 0) {
      const lines = this.queue.splice(0, this.opts.maxPerPush);
      try {
        await this.redis.rpush(ALERT_LIST, ...lines);
        this.pushed += lines.length;
        failures = 0;
      } catch (e) {
        // Put the lines back in front, within the bound. (A reply lost after Redis ran the RPUSH can
        // repeat them; a repeated alert is better than a lost one.)
        this.queue = lines.concat(this.queue);
        while (this.queue.length > this.opts.maxQueue) {
          this.queue.shift();
          this.dropped++;
        }
        failures++;
        this.opts.onError?.((e as Error).message, failures);
        await new Promise((r) => setTimeout(r, this.opts.retryMs));
      }
    }
    this.running = false;
    for (const r of this.idle.splice(0)) r();
  }
}
