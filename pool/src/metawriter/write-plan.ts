// Turn stats batches into the Redis commands of the seed's format. Pure: the state it consults (when a
// key-set member was last added, which workers were announced) is only updated by commit(), which the
// writer calls after Redis confirmed the commands.
import type { StatsBatch } from '@farmhand/core/stats';
import {
  formatFloat,
  MINING_KEYS,
  miningKey,
  MONITOR_KEYS,
  monitorHostKey,
  monitorHostsKey,
  monitorKey,
  NEWBLOCK_LIST,
  NEWEVENT_LIST,
  NEWWORKER_LIST,
} from './redis-keys.js';

export type RedisOp =
  | { readonly op: 'hincrby'; readonly key: string; readonly field: string; readonly value: string }
  | { readonly op: 'hincrbyfloat'; readonly key: string; readonly field: string; readonly value: string }
  | { readonly op: 'sadd'; readonly key: string; readonly member: string }
  | { readonly op: 'rpush'; readonly key: string; readonly value: string };

export interface PlanStateOptions {
  /** A key-set member is re-added at most this often (the seed's key_expire, 3600 s). */
  readonly keySetRefreshSeconds: number;
  /** A worker is announced on `newworker` at most once per this period (the seed cleared its set hourly). */
  readonly newWorkerPeriodSeconds: number;
}

/** What the planner remembers between writes; bounded by pruning entries older than their period. */
export class PlanState {
  readonly keySetAddedAt = new Map<string, number>();
  readonly newWorkerAt = new Map<string, number>();
  private lastPrune = 0;

  constructor(readonly opts: PlanStateOptions) {}

  prune(now: number): void {
    if (now - this.lastPrune < 60) return;
    this.lastPrune = now;
    for (const [k, t] of this.keySetAddedAt) {
      if (now - t >= this.opts.keySetRefreshSeconds) this.keySetAddedAt.delete(k);
    }
    for (const [k, t] of this.newWorkerAt) {
      if (now - t >= this.opts.newWorkerPeriodSeconds) this.newWorkerAt.delete(k);
    }
  }
}

export interface WritePlan {
  readonly ops: readonly RedisOp[];
  /** Record in the state what the ops did; call only once Redis confirmed them. */
  commit(): void;
}

export function planWrites(batches: readonly StatsBatch[], state: PlanState, now: number): WritePlan {
  const ints = new Map<string, Map<string, number>>();
  const floats = new Map<string, Map<string, number>>();
  const sets = new Map<string, string>(); // "set\0member" → set
  const pushes: RedisOp[] = [];
  const announced = new Set<string>();

  const add = (m: Map<string, Map<string, number>>, key: string, field: number, value: number): void => {
    let h = m.get(key);
    if (!h) m.set(key, (h = new Map()));
    const f = String(field);
    h.set(f, (h.get(f) ?? 0) + value);
  };
  const member = (set: string, value: string): void => {
    const id = `${set}\0${value}`;
    const last = state.keySetAddedAt.get(id);
    if (last === undefined || now - last >= state.opts.keySetRefreshSeconds) sets.set(id, set);
  };
  const announce = (coin: string, user: string, worker: string): void => {
    const id = `${coin}\0${user}\0${worker}`;
    const last = state.newWorkerAt.get(id);
    if (announced.has(id) || (last !== undefined && now - last < state.opts.newWorkerPeriodSeconds)) return;
    announced.add(id);
    pushes.push({ op: 'rpush', key: NEWWORKER_LIST, value: JSON.stringify({ user, worker, coin }) });
  };

  for (const b of batches) {
    const { coin, host } = b;
    for (const r of b.records) {
      switch (r.kind) {
        case 'share': {
          if (r.accepted > 0) {
            for (const worker of [undefined, r.worker]) {
              const s = miningKey(coin, 's', r.user, worker);
              add(ints, s, r.minute, r.accepted);
              member(MINING_KEYS, s);
              if (r.pow > 0) {
                const p = miningKey(coin, 'p', r.user, worker);
                add(ints, p, r.minute, r.pow);
                member(MINING_KEYS, p);
              }
            }
            // Goal is kept per user only, as the seed did.
            if (Math.abs(r.goal) > 1e-15) {
              const g = miningKey(coin, 'g', r.user);
              add(floats, g, r.minute, r.goal);
              member(MINING_KEYS, g);
            }
          }
          if (r.rejected > 0) {
            for (const worker of [undefined, r.worker]) {
              const s = miningKey(coin, 's', r.user, worker, true);
              add(ints, s, r.minute, r.rejected);
              member(MINING_KEYS, s);
            }
          }
          break;
        }
        case 'monitor_int':
        case 'monitor_float': {
          if (r.value === 0) break;
          const m = r.kind === 'monitor_int' ? ints : floats;
          add(m, monitorKey(coin, r.key), r.minute, r.value);
          add(m, monitorHostKey(coin, host, r.key), r.minute, r.value);
          member(monitorHostsKey(coin, r.key), host);
          member(MONITOR_KEYS, monitorKey(coin, r.key));
          break;
        }
        case 'block':
          pushes.push({
            op: 'rpush',
            key: NEWBLOCK_LIST,
            value: JSON.stringify({ user: r.user, worker: r.worker, name: r.name, hash: r.hash }),
          });
          break;
        case 'connection':
          pushes.push({
            op: 'rpush',
            key: NEWEVENT_LIST,
            value: JSON.stringify({ user: r.user, worker: r.worker, coin, peer: r.peer, event: r.event }),
          });
          if (r.event === 'connected') announce(coin, r.user, r.worker);
          break;
        case 'newworker':
          announce(coin, r.user, r.worker);
          break;
      }
    }
  }

  const ops: RedisOp[] = [];
  for (const [key, h] of ints) {
    for (const [field, v] of h) if (v !== 0) ops.push({ op: 'hincrby', key, field, value: String(v) });
  }
  for (const [key, h] of floats) {
    for (const [field, v] of h) {
      if (Math.abs(v) > 1e-15) ops.push({ op: 'hincrbyfloat', key, field, value: formatFloat(v) });
    }
  }
  for (const [id, set] of sets) ops.push({ op: 'sadd', key: set, member: id.slice(set.length + 1) });
  ops.push(...pushes);

  return {
    ops,
    commit() {
      for (const id of sets.keys()) state.keySetAddedAt.set(id, now);
      for (const id of announced) state.newWorkerAt.set(id, now);
      state.prune(now);
    },
  };
}
