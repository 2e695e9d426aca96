// Braiins OS+ GraphQL (POST /graphql, 2021-2025 builds before the REST API): one query each for the system,
// the hash boards (workSolver.childSolvers) and the pools; rates in MH/s (`mhs5S`).
import type { JsonObject } from './cgminer-reply.js';
import {
  round,
  type BoardStatus,
  type PoolStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

export const BOS_GQL = {
  system: 'POST /graphql system',
  boards: 'POST /graphql boards',
  pools: 'POST /graphql pools',
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

function list(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter((e): e is JsonObject => e !== null && typeof e === 'object') : [];
}

/** Sensors are named Chip/Board (older) or Max Chip/Max Board/Inlet/Outlet (25.x): the hottest chip wins. */
function boardTemp(temps: JsonObject[]): number | null {
  for (const kind of [/chip/i, /board/i]) {
    const v = temps
      .filter((t) => typeof t.name === 'string' && kind.test(t.name))
      .map((t) => numAt(t, 'degreesC'))
      .filter((n): n is number => n !== null && n > 0);
    if (v.length > 0) return Math.max(...v);
  }
  return null;
}

export function braiinsGraphqlStatus(replies: ReplySet): StatusReading {
  const system = at(replies[BOS_GQL.system], 'data');
  const mhs = numAt(system, 'bosminer', 'info', 'workSolver', 'realHashrate', 'mhs5S');
  const boards: BoardStatus[] = list(
    at(replies[BOS_GQL.boards], 'data', 'bosminer', 'info', 'workSolver', 'childSolvers'),
  ).map((b, i) => {
    const rate = numAt(b, 'realHashrate', 'mhs5S');
    const temp = boardTemp(list(b.temperatures));
    const chips = numAt(b, 'hwDetails', 'chips');
    return {
      index: i,
      ...(rate !== null ? { hashrateThs: round(rate / 1e6, 6) } : {}),
      ...(temp !== null ? { tempC: temp } : {}),
      ...(chips !== null ? { chips } : {}),
    };
  });
  const fans = list(at(system, 'bosminer', 'info', 'fans'))
    .map((f) => numAt(f, 'rpm'))
    .filter((r): r is number => r !== null && r > 0);
  const pools: PoolStatus[] = [];
  for (const g of list(at(replies[BOS_GQL.pools], 'data', 'bosminer', 'info', 'poolGroups'))) {
    for (const p of list(g.pools)) {
      if (typeof p.url !== 'string' || p.url === '') continue;
      const status =
        p.active === true
          ? 'Active'
          : typeof p.status === 'string'
            ? p.status.charAt(0) + p.status.slice(1).toLowerCase()
            : '';
      pools.push({
        url: p.url,
        user: typeof p.user === 'string' ? p.user : '',
        status,
        priority: pools.length,
      });
    }
  }
  const power = numAt(system, 'bosminer', 'info', 'summary', 'power', 'approxConsumptionW');
  return {
    hashrateThs: mhs === null ? null : round(mhs / 1e6, 6),
    boards,
    fans,
    pools,
    uptimeS: numAt(system, 'bos', 'uptime', 'durationS'),
    ...(power !== null ? { powerW: power } : {}),
  };
}
