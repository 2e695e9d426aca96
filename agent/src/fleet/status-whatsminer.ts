// Whatsminer btminer: v1/v2 cgminer-style `summary`/`edevs`/`pools` in MH/s, and v3's
// `get.miner.status` objects in TH/s with dashed keys.
import type { JsonObject } from './cgminer-reply.js';
import {
  cgminerPools,
  num,
  plausibleTemp,
  section,
  str,
  ths,
  type BoardStatus,
  type PoolStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

function msg(reply: JsonObject | undefined, key: string): unknown {
  const m = reply?.msg;
  return m !== null && typeof m === 'object' ? (m as JsonObject)[key] : undefined;
}

function v3Status(replies: ReplySet): StatusReading {
  const summary = msg(replies['get.miner.status summary'], 'summary') as JsonObject | undefined;
  const edevs = msg(replies['get.miner.status edevs'], 'edevs');
  const pools = msg(replies['get.miner.status pools'], 'pools');
  const boardTemps = Array.isArray(summary?.['board-temperature'])
    ? (summary['board-temperature'] as unknown[])
    : [];
  const boards: BoardStatus[] = (Array.isArray(edevs) ? (edevs as JsonObject[]) : []).map((d, i) => {
    const temp = plausibleTemp(
      num(d, 'chip-temp-avg') ?? (typeof boardTemps[i] === 'number' ? (boardTemps[i] as number) : null),
    );
    const rate = num(d, 'hash-average', 'hash-realtime');
    const chips = num(d, 'effective-chips');
    return {
      index: num(d, 'id') ?? i,
      ...(rate !== null ? { hashrateThs: rate } : {}),
      ...(temp !== undefined ? { tempC: temp } : {}),
      ...(chips !== null ? { chips } : {}),
    };
  });
  const poolList: PoolStatus[] = (Array.isArray(pools) ? (pools as JsonObject[]) : [])
    .map((p, i) => ({
      url: str(p, 'url') ?? '',
      user: str(p, 'account') ?? '',
      status: str(p, 'status') ?? '',
      priority: num(p, 'pool-priority') ?? i,
    }))
    .filter((p) => p.url !== '');
  const fans = [num(summary, 'fan-speed-in'), num(summary, 'fan-speed-out')].filter(
    (f): f is number => f !== null && f > 0,
  );
  const power = num(summary, 'power-realtime', 'power-5min');
  return {
    hashrateThs: num(summary, 'hash-realtime', 'hash-average'),
    boards,
    fans,
    pools: poolList,
    uptimeS: num(summary, 'elapsed'),
    ...(power !== null ? { powerW: power } : {}),
  };
}

export function whatsminerStatus(replies: ReplySet): StatusReading {
  if (replies.summary === undefined && replies['get.miner.status summary'] !== undefined)
    return v3Status(replies);
  const s = section(replies.summary, 'SUMMARY')[0];
  const devs = section(replies.edevs ?? replies.devs, 'DEVS');
  const boards: BoardStatus[] = devs.map((d, i) => {
    const rate = ths(num(d, 'MHS av', 'MHS 5s'), 'MH');
    const temp = plausibleTemp(num(d, 'Temperature', 'Chip Temp Avg'));
    const chips = num(d, 'Effective Chips');
    return {
      index: num(d, 'ASC', 'ID') ?? i,
      ...(rate !== null ? { hashrateThs: rate } : {}),
      ...(temp !== undefined ? { tempC: temp } : {}),
      ...(chips !== null ? { chips } : {}),
    };
  });
  const fanSource = s && ('Fan Speed In' in s || 'Fan Speed Out' in s) ? s : devs[0];
  const fans = [num(fanSource, 'Fan Speed In'), num(fanSource, 'Fan Speed Out')].filter(
    (f): f is number => f !== null && f > 0,
  );
  const errors: string[] = [];
  for (const [k, v] of Object.entries(s ?? {})) if (/^Error Code \d+$/.test(k)) errors.push(String(v));
  const codes = (replies.get_error_code?.Msg as JsonObject | undefined)?.error_code;
  if (Array.isArray(codes))
    for (const c of codes)
      errors.push(typeof c === 'object' && c !== null ? Object.keys(c).join(',') : String(c));
  const power = num(s, 'Power', 'Power_RT');
  return {
    hashrateThs: ths(num(s, 'MHS 5s', 'MHS av'), 'MH'),
    boards,
    fans,
    pools: cgminerPools(replies.pools),
    uptimeS: num(s, 'Elapsed'),
    ...(power !== null ? { powerW: power } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}
