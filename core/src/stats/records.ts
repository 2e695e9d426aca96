// The stats a gateway (or a metarelay on its behalf) sends to the metawriter, one type per record.
// A batch comes from one source (host + coin) and carries a per-source sequence so a replayed batch
// can be recognised and applied once.

/** Shares of one worker in one minute. `pow` is Σ share difficulty (hashes ≈ pow·2^32), an integer. */
export interface ShareStat {
  readonly kind: 'share';
  /** Unix time of the minute's start (a multiple of 60). */
  readonly minute: number;
  readonly user: string;
  readonly worker: string;
  readonly accepted: number;
  readonly rejected: number;
  readonly pow: number;
  /** Σ share difficulty / network difficulty; 1.0 is one expected block. */
  readonly goal: number;
}

/** A block found by a worker; `name` is the chain it was found on (the coin, or an aux chain name). */
export interface BlockFound {
  readonly kind: 'block';
  readonly user: string;
  readonly worker: string;
  readonly name: string;
  readonly hash: string;
}

export type ConnectionEventName = 'connected' | 'disconnected';

/** A worker connected to or disconnected from a gateway. */
export interface ConnectionEvent {
  readonly kind: 'connection';
  readonly user: string;
  readonly worker: string;
  readonly peer: string;
  readonly event: ConnectionEventName;
}

/** A worker seen for the first time (the metawriter also derives these from `connected` events). */
export interface NewWorkerEvent {
  readonly kind: 'newworker';
  readonly user: string;
  readonly worker: string;
}

/** An integer monitor counter increment for one minute (e.g. `share`, `pow`, `reject`, `connections`). */
export interface MonitorInt {
  readonly kind: 'monitor_int';
  readonly minute: number;
  readonly key: string;
  readonly value: number;
}

/** A float monitor counter increment for one minute (in practice `goal`). */
export interface MonitorFloat {
  readonly kind: 'monitor_float';
  readonly minute: number;
  readonly key: string;
  readonly value: number;
}

export type StatsRecord =
  ShareStat | BlockFound | ConnectionEvent | NewWorkerEvent | MonitorInt | MonitorFloat;

export interface StatsBatch {
  /** Stable id of the sender (a gateway id); with `seq` it names the batch for duplicate suppression. */
  readonly source: string;
  /** Per-source batch sequence, a non-negative integer. */
  readonly seq: number;
  /** The host dimension of monitor keys (`<coin>:mh:<host>:<key>`). */
  readonly host: string;
  /** The Redis key prefix, e.g. `btc`. */
  readonly coin: string;
  readonly records: readonly StatsRecord[];
}

export function batchId(batch: Pick<StatsBatch, 'source' | 'seq'>): string {
  return `${batch.source}:${batch.seq}`;
}
