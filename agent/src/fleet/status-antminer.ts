// Antminer-layout `stats` (stock bmminer/cgminer, VNish, LuxOS, Hiveon): the second STATS object holds
// GHS 5s, per-chain chain_rateN/chain_acnN/temp*N and fanN. Field table: docs/firmware-profiles.md.
import type { JsonObject } from './cgminer-reply.js';
import {
  cgminerPools,
  num,
  plausibleTemp,
  round,
  section,
  str,
  ths,
  type BoardStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

const MAX_CHAINS = 16;

function statsEntry(reply: JsonObject | undefined): JsonObject | undefined {
  return section(reply, 'STATS').find((s) => 'GHS 5s' in s || 'GHS av' in s || 'chain_acn1' in s);
}

/** `temp_chip1` is "80-64-93-83" on S19+ (sensor pairs); the hottest reading is what matters. */
function dashedMax(v: unknown): number | null {
  if (typeof v !== 'string' || !v.includes('-')) return null;
  const parts = v
    .split('-')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
  return parts.length > 0 ? Math.max(...parts) : null;
}

function unitOf(s: JsonObject): 'MH' | 'GH' | 'TH' {
  const u = str(s, 'rate_unit')?.toUpperCase();
  return u === 'MH' || u === 'TH' ? u : 'GH';
}

export function antminerStatus(replies: ReplySet): StatusReading {
  const s = statsEntry(replies.stats) ?? section(replies.summary, 'SUMMARY')[0];
  const unit = s ? unitOf(s) : 'GH';
  const boards: BoardStatus[] = [];
  let hwErrors = 0;
  for (let n = 1; s && n <= MAX_CHAINS; n++) {
    const chips = num(s, `chain_acn${n}`);
    const rate = num(s, `chain_rate${n}`);
    if (chips === null || (chips === 0 && rate === null)) continue;
    const temp = dashedMax(s[`temp_chip${n}`]) ?? num(s, `temp2_${n}`) ?? num(s, `temp${n}`);
    boards.push({
      index: boards.length,
      ...(rate !== null ? { hashrateThs: ths(rate, unit) ?? 0 } : {}),
      ...(plausibleTemp(temp) !== undefined ? { tempC: plausibleTemp(temp) } : {}),
      chips,
    });
    hwErrors += num(s, `chain_hw${n}`) ?? 0;
  }
  const fans: number[] = [];
  for (let n = 1; s && n <= MAX_CHAINS; n++) {
    const rpm = num(s, `fan${n}`);
    if (rpm !== null && rpm > 0) fans.push(rpm);
  }
  const power = num(section(replies.power, 'POWER')[0], 'Watts');
  const errors: string[] = hwErrors > 0 ? [`hardware errors: ${round(hwErrors, 0)}`] : [];
  // LuxOS `events`: what the firmware itself flagged (NOPIC protection, boards rebooted, ...).
  for (const e of section(replies.events, 'EVENTS')) {
    const code = str(e, 'Code');
    if (code) errors.push(`${code}: ${str(e, 'Description') ?? ''}`.trim());
  }
  return {
    hashrateThs: ths(num(s, 'GHS 5s', 'GHS av'), unit),
    boards,
    fans,
    pools: cgminerPools(replies.pools),
    uptimeS: num(s, 'Elapsed'),
    ...(power !== null ? { powerW: power } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}
