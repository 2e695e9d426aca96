// Braiins OS public REST API (25.07 and later, bearer token from POST /api/v1/auth/login): rates are
// objects in one of three units ({gigahash_per_second: …}), temperatures {degree_c: …}.
import type { JsonObject } from './cgminer-reply.js';
import {
  round,
  type BoardStatus,
  type PoolStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

export const BOS_REST = {
  stats: 'GET /api/v1/miner/stats',
  hashboards: 'GET /api/v1/miner/hw/hashboards',
  cooling: 'GET /api/v1/cooling/state',
  pools: 'GET /api/v1/pools',
  details: 'GET /api/v1/miner/details',
} as const;

function at(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as JsonObject)[p] : undefined;
  return v;
}

function numAt(o: unknown, ...path: string[]): number | null {
  const v = at(o, ...path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** {terahash|gigahash|megahash_per_second} → TH/s. */
export function restRateThs(o: unknown): number | null {
  const units: [string, number][] = [
    ['terahash_per_second', 1],
    ['gigahash_per_second', 1e-3],
    ['megahash_per_second', 1e-6],
  ];
  for (const [k, f] of units) {
    const v = numAt(o, k);
    if (v !== null) return round(v * f, 6);
  }
  return null;
}

function list(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter((e): e is JsonObject => e !== null && typeof e === 'object') : [];
}

export function braiinsRestStatus(replies: ReplySet): StatusReading {
  const stats = replies[BOS_REST.stats];
  const boards: BoardStatus[] = list(at(replies[BOS_REST.hashboards], 'hashboards')).map((b, i) => {
    const rate = restRateThs(at(b, 'stats', 'real_hashrate', 'last_5s'));
    const temp =
      numAt(b, 'highest_chip_temp', 'temperature', 'degree_c') ?? numAt(b, 'board_temp', 'degree_c');
    const chips = numAt(b, 'chips_count');
    return {
      index: i,
      ...(rate !== null ? { hashrateThs: rate } : {}),
      ...(temp !== null ? { tempC: temp } : {}),
      ...(chips !== null ? { chips } : {}),
    };
  });
  const fans = list(at(replies[BOS_REST.cooling], 'fans'))
    .map((f) => numAt(f, 'rpm'))
    .filter((r): r is number => r !== null && r > 0);
  // The pools reply is a bare array of groups; the parser wraps a top-level array as {ITEMS: [...]}.
  const groups = list(at(replies[BOS_REST.pools], 'ITEMS'));
  const pools: PoolStatus[] = [];
  for (const g of groups) {
    for (const p of list(g.pools)) {
      if (typeof p.url !== 'string' || p.url === '') continue;
      pools.push({
        url: p.url,
        user: typeof p.user === 'string' ? p.user : '',
        status: p.active === true ? 'Active' : p.alive === true ? 'Alive' : 'Dead',
        priority: pools.length,
      });
    }
  }
  const power = numAt(stats, 'power_stats', 'approximated_consumption', 'watt');
  return {
    hashrateThs: restRateThs(at(stats, 'miner_stats', 'real_hashrate', 'last_5s')),
    boards,
    fans,
    pools,
    uptimeS: numAt(replies[BOS_REST.details], 'bosminer_uptime_s'),
    ...(power !== null ? { powerW: power } : {}),
  };
}
