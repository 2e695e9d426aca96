// Avalon `stats`: each module's readings are bracketed tokens in one string, `MM ID<n>`:
// `Temp[38] TMax[89] Fan1[4275] GHSspd[199241.07] MGHS[59459.52 61407.83 63139.66] MTavg[69 70 71] ...`.
import type { JsonObject } from './cgminer-reply.js';
import {
  cgminerPools,
  num,
  plausibleTemp,
  round,
  section,
  type BoardStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

/** `Key[v1 v2]` tokens of one MM ID string. */
export function mmTokens(mm: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of mm.matchAll(/([A-Za-z][\w]*)\[([^\]]*)\]/g))
    if (!out.has(m[1] as string)) out.set(m[1] as string, (m[2] as string).trim());
  return out;
}

function nums(v: string | undefined): number[] {
  if (v === undefined) return [];
  return v
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

function first(t: Map<string, string>, ...keys: string[]): number | null {
  for (const k of keys) {
    const n = nums(t.get(k))[0];
    if (n !== undefined) return n;
  }
  return null;
}

export function avalonStatus(replies: ReplySet): StatusReading {
  const statsEntries = section(replies.stats ?? replies.estats, 'STATS');
  const main: JsonObject | undefined = statsEntries.find((s) =>
    Object.keys(s).some((k) => k.startsWith('MM ID')),
  );
  const modules = Object.entries(main ?? {})
    .filter(([k, v]) => /^MM ID\d+$/.test(k) && typeof v === 'string')
    .map(([, v]) => mmTokens(v as string));
  let totalGhs: number | null = null;
  let power: number | null = null;
  const boards: BoardStatus[] = [];
  const fans: number[] = [];
  for (const t of modules) {
    const ghs = first(t, 'GHSspd', 'GHSmm', 'GHSavg');
    if (ghs !== null) totalGhs = (totalGhs ?? 0) + ghs;
    const wall = first(t, 'WALLPOWER');
    if (wall !== null) power = (power ?? 0) + wall;
    const perBoard = nums(t.get('MGHS'));
    const temps = nums(t.get('MTavg') ?? t.get('MTmax'));
    if (perBoard.length > 0 || temps.length > 1) {
      // 11xx and later: one module, hash boards listed inside it (MGHS per board; some builds only
      // list the boards' temperatures).
      for (let i = 0; i < Math.max(perBoard.length, temps.length); i++) {
        const g = perBoard[i];
        const temp = plausibleTemp(temps[i] ?? null);
        boards.push({
          index: boards.length,
          ...(g !== undefined ? { hashrateThs: round(g / 1000, 6) } : {}),
          ...(temp !== undefined ? { tempC: temp } : {}),
        });
      }
    } else {
      // 7xx/8xx: each module is a board.
      const temp = plausibleTemp(first(t, 'TAvg', 'TMax', 'Temp'));
      boards.push({
        index: boards.length,
        ...(ghs !== null ? { hashrateThs: round(ghs / 1000, 6) } : {}),
        ...(temp !== undefined ? { tempC: temp } : {}),
      });
    }
    for (const k of ['Fan', 'Fan1', 'Fan2', 'Fan3', 'Fan4']) {
      const rpm = first(t, k);
      if (rpm !== null && rpm > 0) fans.push(rpm);
    }
  }
  return {
    hashrateThs: totalGhs === null ? null : round(totalGhs / 1000, 6),
    boards,
    fans,
    pools: cgminerPools(replies.pools),
    uptimeS: num(main, 'Elapsed'),
    ...(power !== null ? { powerW: power } : {}),
  };
}
