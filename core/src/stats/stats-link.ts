// Messages of the stats link (gateway/metarelay → metawriter), carried in uplink frames. The batch body
// is the JSON form of StatsBatch; every batch is answered by exactly one ACK or NACK naming the batch.
import { fail, ok, type Result } from '../result.js';
import type { StatsBatch } from './records.js';

/** Frame types on a stats link (a connection of its own, so they need not differ from the agent link's). */
export const STATS_FRAME = {
  BATCH: 0x30,
  ACK: 0x31,
  NACK: 0x32,
} as const;

/** The batch is in Redis (applied now, or found applied before). The sender may forget it. */
export interface StatsAck {
  readonly source: string;
  readonly seq: number;
  readonly outcome: 'applied' | 'duplicate';
}

/** The batch was not taken. `retry`: resend later (e.g. backlog full); otherwise it can never be applied. */
export interface StatsNack {
  readonly source: string;
  readonly seq: number;
  readonly code: string;
  readonly message: string;
  readonly retry: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeAck(a: StatsAck): Uint8Array {
  return enc.encode(JSON.stringify(a));
}

export function encodeNack(n: StatsNack): Uint8Array {
  return enc.encode(JSON.stringify(n));
}

function json(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(dec.decode(body));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function decodeAck(body: Uint8Array): Result<StatsAck, 'ACK_INVALID'> {
  const o = json(body);
  if (
    !o ||
    typeof o.source !== 'string' ||
    !Number.isSafeInteger(o.seq) ||
    (o.outcome !== 'applied' && o.outcome !== 'duplicate')
  ) {
    return fail('ACK_INVALID', 'stats ACK body is not {"source","seq","outcome"}');
  }
  return ok({ source: o.source, seq: o.seq as number, outcome: o.outcome });
}

export function decodeNack(body: Uint8Array): Result<StatsNack, 'NACK_INVALID'> {
  const o = json(body);
  if (!o || typeof o.source !== 'string' || !Number.isSafeInteger(o.seq) || typeof o.code !== 'string') {
    return fail('NACK_INVALID', 'stats NACK body is not {"source","seq","code","message","retry"}');
  }
  return ok({
    source: o.source,
    seq: o.seq as number,
    code: o.code,
    message: typeof o.message === 'string' ? o.message : '',
    retry: o.retry === true,
  });
}

/** The uplink frame sequence of a batch: its sequence modulo 2^32. */
export function frameSeqOf(batch: Pick<StatsBatch, 'seq'>): number {
  return batch.seq % 0x1_0000_0000;
}
