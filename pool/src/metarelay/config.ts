// The metarelay's JSON config, validated once at start with zod (core/config): every problem names its key.
import { parseConfig } from '@farmhand/core/config';
import type { Result } from '@farmhand/core';
import { z } from 'zod';

const host = z.string().min(1);
const port = z.number().int().min(0).max(65535);
/** "host:port". */
const address = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });

export const metarelayConfigSchema = z.strictObject({
  /** Names this relay in logs. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1..64 of [A-Za-z0-9._-]'),
  /** Where the region's gateways send their stats batches. */
  listen: z.strictObject({ host, port }),
  /** Gateway IPs allowed to connect; empty = any. */
  trust: z.array(z.string().min(1)).default([]),
  /** The central metawriter. */
  metawriter: address,
  spool: z.strictObject({
    dir: z.string().min(1),
    /** Disk bound; past it batches are refused with a retryable NACK and stay with their gateway. */
    maxMegabytes: z.number().positive().default(1024),
  }),
  /** Batches in flight to the metawriter before waiting for ACKs. */
  window: z.number().int().min(1).max(4096).default(64),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
  /** Batches from one gateway waiting for the spool before its socket is paused. */
  maxInFlightPerConnection: z.number().int().min(1).default(256),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type MetarelayConfig = z.infer<typeof metarelayConfigSchema>;
export type MetarelayConfigInput = z.input<typeof metarelayConfigSchema>;

export function parseMetarelayConfig(v: unknown): Result<MetarelayConfig, 'CONFIG_INVALID'> {
  return parseConfig(metarelayConfigSchema, v);
}
