// One shape for a miner's status, whatever the make: what `farmhand scan` prints and the agent stores.
import { toNumber, type JsonObject } from './cgminer-reply.js';

export interface BoardStatus {
  readonly index: number;
  readonly hashrateThs?: number;
  readonly tempC?: number;
  readonly chips?: number;
}

export interface PoolStatus {
  readonly url: string;
  readonly user: string;
  readonly status: string;
  readonly priority: number;
}

/** The parts read from status replies; identification adds make, model and firmware. */
export interface StatusReading {
  readonly hashrateThs: number | null;
  readonly boards: readonly BoardStatus[];
  readonly fans: readonly number[];
  readonly pools: readonly PoolStatus[];
  readonly uptimeS: number | null;
  readonly powerW?: number;
  readonly errors?: readonly string[];
}

export interface MinerStatus extends StatusReading {
  readonly make: string;
  readonly model: string | null;
  readonly firmware: string;
  readonly firmwareVersion: string | null;
}

/** Replies by request (`stats`, `pools`, `GET /api/system/info`, ...), each already parsed. */
export type ReplySet = Readonly<Record<string, JsonObject | undefined>>;

export const UNIT_TO_THS = { MH: 1e-6, GH: 1e-3, TH: 1 } as const;

/** The entries of a section (`STATS`, `POOLS`, ...), or [] when the reply has none. */
export function section(reply: JsonObject | undefined, name: string): JsonObject[] {
  const v = reply?.[name];
  if (!Array.isArray(v)) return [];
  return v.filter((e): e is JsonObject => e !== null && typeof e === 'object' && !Array.isArray(e));
}

export function num(o: JsonObject | undefined, ...keys: string[]): number | null {
  for (const k of keys) {
    const n = toNumber(o?.[k]);
    if (n !== null) return n;
  }
  return null;
}

export function str(o: JsonObject | undefined, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = o?.[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return null;
}

/** Hashrate rounded to a readable precision (devices report up to 8 decimals of MH/s). */
export function ths(value: number | null, unit: keyof typeof UNIT_TO_THS): number | null {
  if (value === null) return null;
  return round(value * UNIT_TO_THS[unit], 6);
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A temperature a sensor could really read; 0 and wild values (-83 on a broken S9 sensor) mean "no reading". */
export function plausibleTemp(v: number | null): number | undefined {
  if (v === null || v <= 0 || v > 150) return undefined;
  return v;
}

/** cgminer `pools`: configured pools only (empty slots are skipped), in priority order. */
export function cgminerPools(reply: JsonObject | undefined): PoolStatus[] {
  return section(reply, 'POOLS')
    .map((p, i) => ({
      url: str(p, 'URL') ?? '',
      user: str(p, 'User') ?? '',
      status: str(p, 'Status') ?? '',
      priority: num(p, 'Priority') ?? num(p, 'POOL') ?? i,
    }))
    .filter((p) => p.url !== '')
    .sort((a, b) => a.priority - b.priority);
}
