// At most `perMinute` alerts per host per calendar minute reach Redis; the rest are counted and
// reported as one summary line per host once the minute is over, so a crash loop cannot flood the
// alert mail but is still visible. Pure: time comes in as an argument.
import type { Alert } from './alert-line.js';

export interface RateLimiterOptions {
  readonly perMinute: number;
  /** Hosts tracked at once; alerts from hosts beyond this share one bucket named OVERFLOW_HOST. */
  readonly maxHosts: number;
}

export const OVERFLOW_HOST = 'alertcenter-overflow';

interface Bucket {
  minute: number;
  passed: number;
  suppressed: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  // Summaries of minutes that ended while their host kept sending, waiting for takeSummaries().
  private finished: Alert[] = [];

  constructor(private readonly opts: RateLimiterOptions) {}

  /** Whether this alert may go out now (unix seconds). */
  admit(alert: Alert, now: number): boolean {
    const minute = Math.floor(now / 60) * 60;
    let host = alert.host;
    if (!this.buckets.has(host) && this.buckets.size >= this.opts.maxHosts) host = OVERFLOW_HOST;
    let b = this.buckets.get(host);
    if (!b) this.buckets.set(host, (b = { minute, passed: 0, suppressed: 0 }));
    if (b.minute !== minute) {
      this.close(host, b);
      b.minute = minute;
      b.passed = 0;
      b.suppressed = 0;
    }
    if (b.passed < this.opts.perMinute) {
      b.passed++;
      return true;
    }
    b.suppressed++;
    return false;
  }

  /** Summary alerts for minutes that have ended; forgets idle hosts. */
  takeSummaries(now: number): Alert[] {
    const minute = Math.floor(now / 60) * 60;
    for (const [host, b] of this.buckets) {
      if (b.minute >= minute) continue;
      this.close(host, b);
      this.buckets.delete(host);
    }
    const out = this.finished;
    this.finished = [];
    return out;
  }

  private close(host: string, b: Bucket): void {
    if (b.suppressed === 0) return;
    const start = new Date(b.minute * 1000).toISOString();
    this.finished.push({
      host,
      message: `alertcenter: ${b.suppressed} more alert(s) suppressed (limit ${this.opts.perMinute} per minute, minute from ${start})`,
    });
  }

  get hosts(): number {
    return this.buckets.size;
  }
}
