// Share counters for the control API, Prometheus and the per-minute history the TUI charts.
// Hashrate is derived from accepted work: each difficulty-1 share stands for 2^32 hashes.

const TWO_32 = 2 ** 32;

export type Scope = 'farm' | 'worker' | 'miner';

export interface MinuteTotals {
  minute: number; // unix seconds, a multiple of 60
  scope: Scope;
  key: string;
  accepted: number;
  acceptedDifficulty: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface ShareSample {
  worker: string; // account.worker
  miner: string; // session or device id
  accepted: boolean;
  difficulty: number;
  reason?: string;
  at: number; // ms
}

function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60;
}

export class FarmStats {
  private current = new Map<string, MinuteTotals>();
  private currentMinute: number;
  /** Farm totals of closed minutes, newest last, for the 1m/15m/1h hashrate windows. */
  private readonly farmMinutes: { minute: number; difficulty: number }[] = [];
  readonly totals = { accepted: 0, rejected: 0, stale: 0, byReason: {} as Record<string, number> };

  private readonly startedAt: number;

  constructor(now: number) {
    this.currentMinute = minuteOf(now);
    this.startedAt = now;
  }

  /** Records a share; returns the minutes that closed (to persist) when the clock moved on. */
  add(s: ShareSample): MinuteTotals[] {
    const closed = this.roll(s.at);
    if (s.accepted) this.totals.accepted += 1;
    else {
      this.totals.rejected += 1;
      const reason = s.reason ?? 'other';
      this.totals.byReason[reason] = (this.totals.byReason[reason] ?? 0) + 1;
      if (reason === 'stale') this.totals.stale += 1;
    }
    for (const [scope, key] of [
      ['farm', ''],
      ['worker', s.worker],
      ['miner', s.miner],
    ] as const) {
      const id = `${scope}\u0000${key}`;
      let t = this.current.get(id);
      if (!t) {
        t = {
          minute: this.currentMinute,
          scope,
          key,
          accepted: 0,
          acceptedDifficulty: 0,
          rejected: 0,
          rejectedByReason: {},
        };
        this.current.set(id, t);
      }
      if (s.accepted) {
        t.accepted += 1;
        t.acceptedDifficulty += s.difficulty;
      } else {
        t.rejected += 1;
        const reason = s.reason ?? 'other';
        t.rejectedByReason[reason] = (t.rejectedByReason[reason] ?? 0) + 1;
      }
    }
    return closed;
  }

  /** Closes the current minute when `now` is past it; returns what closed. */
  roll(now: number): MinuteTotals[] {
    const m = minuteOf(now);
    if (m <= this.currentMinute) return [];
    const closed = [...this.current.values()];
    const farm = closed.find((t) => t.scope === 'farm');
    this.farmMinutes.push({ minute: this.currentMinute, difficulty: farm?.acceptedDifficulty ?? 0 });
    while (this.farmMinutes.length > 60) this.farmMinutes.shift();
    this.current = new Map();
    this.currentMinute = m;
    return closed;
  }

  /** Farm hashrate (H/s) over the last `minutes` closed minutes, plus the running one. */
  hashrate(minutes: number, now: number): number {
    const since = minuteOf(now) - minutes * 60;
    let difficulty = this.current.get('farm\u0000')?.acceptedDifficulty ?? 0;
    for (const m of this.farmMinutes) if (m.minute >= since) difficulty += m.difficulty;
    const seconds = Math.min(minutes * 60 + (now / 1000 - minuteOf(now)), (now - this.startedAt) / 1000);
    return (difficulty * TWO_32) / Math.max(seconds, 1);
  }
}
