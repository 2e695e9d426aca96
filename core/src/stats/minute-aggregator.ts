// The gateway side of the stats pipeline: share outcomes and counters are summed per
// (minute, user, worker) and handed out as batches once their minute has closed; events leave at once.
import type { ConnectionEventName, StatsBatch, StatsRecord } from './records.js';

export function minuteOf(unixSeconds: number): number {
  return Math.floor(unixSeconds / 60) * 60;
}

export interface ShareOutcome {
  readonly user: string;
  readonly worker: string;
  /** Unix seconds when the share was received. */
  readonly time: number;
  readonly accepted: boolean;
  /** Stratum error code of a rejected share (21 stale, 22 duplicate, 23 low difficulty, ...). */
  readonly rejectCode?: number;
  /** The share's assigned difficulty (what it is credited with when accepted). */
  readonly difficulty: number;
  readonly networkDifficulty: number;
}

export interface MinuteAggregatorOptions {
  readonly source: string;
  readonly host: string;
  readonly coin: string;
  /** First sequence number; a sender that restarts under the same source must resume past its last one. */
  readonly firstSeq?: number;
  readonly maxRecordsPerBatch?: number;
}

interface ShareSum {
  accepted: number;
  rejected: number;
  pow: number;
  goal: number;
}

export class MinuteAggregator {
  private nextSeq: number;
  private readonly maxRecords: number;
  // minute → "user\0worker" → sums
  private readonly shares = new Map<number, Map<string, ShareSum>>();
  // minute → key → sum
  private readonly ints = new Map<number, Map<string, number>>();
  private readonly floats = new Map<number, Map<string, number>>();
  private events: StatsRecord[] = [];
  // Fractional difficulty not yet credited: p is written with HINCRBY, so it must stay an integer; the
  // remainder is carried to the next minute instead of being lost (matters with fractional difficulties).
  private readonly powCarry = new Map<string, number>();
  private monitorPowCarry = 0;

  constructor(private readonly opts: MinuteAggregatorOptions) {
    this.nextSeq = opts.firstSeq ?? 0;
    this.maxRecords = opts.maxRecordsPerBatch ?? 5000;
  }

  addShare(s: ShareOutcome): void {
    const minute = minuteOf(s.time);
    let perMinute = this.shares.get(minute);
    if (!perMinute) this.shares.set(minute, (perMinute = new Map()));
    const k = `${s.user}\0${s.worker}`;
    let sum = perMinute.get(k);
    if (!sum) perMinute.set(k, (sum = { accepted: 0, rejected: 0, pow: 0, goal: 0 }));
    if (s.accepted) {
      const goal = s.networkDifficulty > 0 ? s.difficulty / s.networkDifficulty : 0;
      sum.accepted += 1;
      sum.pow += s.difficulty;
      sum.goal += goal;
      this.addCounter('share', 1, s.time);
      this.addPowCounter(s.difficulty, minute);
      this.addFloat('goal', goal, s.time);
    } else {
      sum.rejected += 1;
      this.addCounter('reject', 1, s.time);
      if (s.rejectCode !== undefined) this.addCounter(`reject_${s.rejectCode}`, 1, s.time);
    }
  }

  addCounter(key: string, value: number, time: number): void {
    bump(this.ints, minuteOf(time), key, value);
  }

  addFloat(key: string, value: number, time: number): void {
    bump(this.floats, minuteOf(time), key, value);
  }

  addBlock(user: string, worker: string, name: string, hash: string): void {
    this.events.push({ kind: 'block', user, worker, name, hash });
  }

  addConnection(user: string, worker: string, peer: string, event: ConnectionEventName): void {
    this.events.push({ kind: 'connection', user, worker, peer, event });
  }

  /** Events (blocks, connections) go out at once, not per minute. */
  takeEvents(): StatsBatch[] {
    const records = this.events;
    this.events = [];
    return this.split(records);
  }

  /** Batches for every minute that has closed by `now` (unix seconds); `Infinity` drains everything. */
  takeClosedMinutes(now: number): StatsBatch[] {
    const open = now === Infinity ? Infinity : minuteOf(now);
    const records: StatsRecord[] = [];
    const minutes = new Set([...this.shares.keys(), ...this.ints.keys(), ...this.floats.keys()]);
    for (const minute of [...minutes].sort((a, b) => a - b)) {
      if (minute >= open) continue;
      for (const [k, sum] of this.shares.get(minute) ?? []) {
        const [user = '', worker = ''] = k.split('\0');
        const exact = sum.pow + (this.powCarry.get(k) ?? 0);
        const pow = Math.floor(exact + 1e-9);
        const rest = exact - pow;
        if (rest > 1e-9) this.powCarry.set(k, rest);
        else this.powCarry.delete(k);
        records.push({ kind: 'share', minute, user, worker, ...sum, pow });
      }
      for (const [key, value] of this.ints.get(minute) ?? []) {
        if (value !== 0) records.push({ kind: 'monitor_int', minute, key, value });
      }
      for (const [key, value] of this.floats.get(minute) ?? []) {
        if (value !== 0) records.push({ kind: 'monitor_float', minute, key, value });
      }
      this.shares.delete(minute);
      this.ints.delete(minute);
      this.floats.delete(minute);
    }
    return this.split(records);
  }

  private addPowCounter(difficulty: number, minute: number): void {
    const exact = difficulty + this.monitorPowCarry;
    const whole = Math.floor(exact + 1e-9);
    this.monitorPowCarry = exact - whole;
    if (whole > 0) bump(this.ints, minute, 'pow', whole);
  }

  private split(records: StatsRecord[]): StatsBatch[] {
    const out: StatsBatch[] = [];
    for (let i = 0; i < records.length; i += this.maxRecords) {
      out.push({
        source: this.opts.source,
        seq: this.nextSeq++,
        host: this.opts.host,
        coin: this.opts.coin,
        records: records.slice(i, i + this.maxRecords),
      });
    }
    return out;
  }
}

function bump(m: Map<number, Map<string, number>>, minute: number, key: string, value: number): void {
  let perMinute = m.get(minute);
  if (!perMinute) m.set(minute, (perMinute = new Map()));
  perMinute.set(key, (perMinute.get(key) ?? 0) + value);
}
