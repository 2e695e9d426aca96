// Parse a stats batch once, at the boundary (JSON from a socket or a spool file), into typed records.
// Names end up inside Redis keys separated by ':', so a name may not contain ':' or blanks.
import { fail, ok, type Result } from '../result.js';
import type { StatsBatch, StatsRecord } from './records.js';

export type BatchParseCode = 'BATCH_INVALID';

/** Upper bound on records in one batch; a sender splits bigger flushes. */
export const MAX_BATCH_RECORDS = 100_000;

const NAME = /^[^\s:]{1,64}$/;
const SOURCE = /^[A-Za-z0-9._-]{1,128}$/;
const HOST = /^[^\s]{1,255}$/;
const COIN = /^[A-Za-z0-9._-]{1,32}$/;
const HASH = /^[0-9a-fA-F]{64}$/;

class Invalid extends Error {}

function where(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) where(path, 'expected an object');
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, k: string, re: RegExp, path: string): string {
  const v = o[k];
  if (typeof v !== 'string') where(`${path}.${k}`, 'expected a string');
  if (!re.test(v)) where(`${path}.${k}`, `"${v.slice(0, 80)}" is not allowed here (pattern ${re.source})`);
  return v;
}

function count(o: Record<string, unknown>, k: string, path: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    where(`${path}.${k}`, 'expected a non-negative integer');
  }
  return v;
}

function minute(o: Record<string, unknown>, path: string): number {
  const v = count(o, 'minute', path);
  if (v % 60 !== 0) where(`${path}.minute`, `${v} is not a minute start (a multiple of 60)`);
  return v;
}

function finite(o: Record<string, unknown>, k: string, path: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) where(`${path}.${k}`, 'expected a finite number');
  return v;
}

function record(v: unknown, path: string): StatsRecord {
  const o = obj(v, path);
  switch (o.kind) {
    case 'share': {
      const goal = finite(o, 'goal', path);
      if (goal < 0) where(`${path}.goal`, 'must not be negative');
      return {
        kind: 'share',
        minute: minute(o, path),
        user: str(o, 'user', NAME, path),
        worker: str(o, 'worker', NAME, path),
        accepted: count(o, 'accepted', path),
        rejected: count(o, 'rejected', path),
        pow: count(o, 'pow', path),
        goal,
      };
    }
    case 'block':
      return {
        kind: 'block',
        user: str(o, 'user', NAME, path),
        worker: str(o, 'worker', NAME, path),
        name: str(o, 'name', NAME, path),
        hash: str(o, 'hash', HASH, path).toLowerCase(),
      };
    case 'connection': {
      const event = o.event;
      if (event !== 'connected' && event !== 'disconnected') {
        where(`${path}.event`, 'expected "connected" or "disconnected"');
      }
      return {
        kind: 'connection',
        user: str(o, 'user', NAME, path),
        worker: str(o, 'worker', NAME, path),
        peer: str(o, 'peer', HOST, path),
        event,
      };
    }
    case 'newworker':
      return { kind: 'newworker', user: str(o, 'user', NAME, path), worker: str(o, 'worker', NAME, path) };
    case 'monitor_int': {
      const value = finite(o, 'value', path);
      if (!Number.isSafeInteger(value)) where(`${path}.value`, 'expected an integer');
      return { kind: 'monitor_int', minute: minute(o, path), key: str(o, 'key', NAME, path), value };
    }
    case 'monitor_float':
      return {
        kind: 'monitor_float',
        minute: minute(o, path),
        key: str(o, 'key', NAME, path),
        value: finite(o, 'value', path),
      };
    default:
      return where(
        `${path}.kind`,
        'expected one of share, block, connection, newworker, monitor_int, monitor_float',
      );
  }
}

/** Validate an already JSON-decoded batch. */
export function parseStatsBatch(v: unknown): Result<StatsBatch, BatchParseCode> {
  try {
    const o = obj(v, 'batch');
    const records = o.records;
    if (!Array.isArray(records)) where('batch.records', 'expected an array');
    if (records.length > MAX_BATCH_RECORDS) {
      where('batch.records', `${records.length} records, at most ${MAX_BATCH_RECORDS} per batch`);
    }
    return ok({
      source: str(o, 'source', SOURCE, 'batch'),
      seq: count(o, 'seq', 'batch'),
      host: str(o, 'host', HOST, 'batch'),
      coin: str(o, 'coin', COIN, 'batch'),
      records: records.map((r, i) => record(r, `batch.records[${i}]`)),
    });
  } catch (e) {
    if (e instanceof Invalid) return fail('BATCH_INVALID', `invalid stats batch: ${e.message}`);
    throw e;
  }
}

/** Decode a JSON body (bytes or text) and validate it. */
export function decodeStatsBatch(body: Uint8Array | string): Result<StatsBatch, BatchParseCode> {
  let v: unknown;
  try {
    v = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch (e) {
    return fail('BATCH_INVALID', `invalid stats batch: body is not JSON (${(e as Error).message})`);
  }
  return parseStatsBatch(v);
}

export function encodeStatsBatch(batch: StatsBatch): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(batch));
}
