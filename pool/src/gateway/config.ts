// The gateway's JSON config, validated once at start with zod (core/config): every problem names its key.
import { parseConfig } from '@farmhand/core/config';
import { fail, type Result } from '@farmhand/core';
import { z } from 'zod';

const host = z.string().min(1);
const port = z.number().int().min(0).max(65535);
const listen = z.strictObject({ host, port });
/** "host:port". */
const address = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });
const difficulty = z.number().positive().finite();
const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1..64 of [A-Za-z0-9._-]');

const vardiff = z.strictObject({
  targetShareSeconds: z.number().positive().default(4),
  retargetSeconds: z.number().positive().default(120),
  retargetShares: z.number().int().min(1).default(30),
  maxDifficulty: difficulty.default(2 ** 40),
  deadBandLow: z.number().positive().default(0.7),
  deadBandHigh: z.number().positive().default(1.5),
});

const bans = z.strictObject({
  /** How long an IP stays banned after abuse. */
  minutes: z.number().positive().default(10),
  /** Malformed lines (bad JSON, not a request) one connection may send before it is closed and banned. */
  maxMalformedLines: z.number().int().min(1).default(20),
  /** IPs refused at accept forever (the operator's own list). */
  static: z.array(z.string().min(1)).default([]),
});

export const gatewayConfigSchema = z.strictObject({
  /** Names this gateway: the stats batch source, the jobmaster HELLO, logs. Unique per gateway. */
  name,
  /** Host dimension of the monitor keys (`<coin>:mh:<host>:<key>`). */
  host: z.string().regex(/^[^\s:]{1,255}$/, 'expected a host name without blanks or ":"'),
  coin: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'expected a coin name such as "btc"'),
  /** Leading extranonce1 bytes (hex) that keep this gateway's work apart from the other gateways'. */
  extranoncePrefix: z
    .string()
    .regex(/^([0-9a-fA-F]{2}){0,4}$/, 'expected 0..4 bytes of hex, different for every gateway')
    .default('00'),
  /** Extranonce1 counter bytes after the prefix, per miner or agent session. */
  extranonceCounterBytes: z.number().int().min(1).max(4).default(3),
  stratum: listen,
  uplink: z.strictObject({
    host,
    port,
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  }),
  agents: z
    .array(z.strictObject({ id: name, token: z.string().min(8, 'tokens are at least 8 characters') }))
    .default([]),
  /** Share difficulty of the JOBs sent to agents (records below it are never sent). */
  agentDifficulty: difficulty.default(1024),
  /** Jobmaster addresses in failover order. */
  jobmaster: z.array(address).min(1, 'give at least one jobmaster "host:port"'),
  /** The metawriter (or a metarelay) that receives the stats batches; without one no stats are kept. */
  metawriter: address.optional(),
  startDifficulty: difficulty.default(1024),
  /** Lowest difficulty vardiff may choose; fractions allowed (regtest, CPU miners). */
  minDifficulty: difficulty.default(16),
  vardiff: vardiff.default(vardiff.parse({})),
  maxLineBytes: z
    .number()
    .int()
    .min(256)
    .max(1024 * 1024)
    .default(10_240),
  maxConnections: z.number().int().min(1).default(100_000),
  maxConnectionsPerIp: z.number().int().min(1).default(256),
  floodRatePerSecond: z.number().positive().default(20),
  floodBurst: z.number().int().min(1).default(100),
  idleTimeoutSeconds: z.number().positive().default(600),
  rebroadcastSeconds: z.number().positive().default(55),
  bans: bans.default(bans.parse({})),
  spool: z.strictObject({
    dir: z.string().min(1),
    /** Disk bound of the stats spool; past it new batches are dropped (counted and logged). */
    maxMegabytes: z.number().positive().default(256),
  }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export function parseGatewayConfig(v: unknown): Result<GatewayConfig, 'CONFIG_INVALID'> {
  const r = parseConfig(gatewayConfigSchema, v);
  if (!r.ok) return r;
  if (r.value.minDifficulty > r.value.startDifficulty) {
    return fail('CONFIG_INVALID', 'config.startDifficulty: must be at least minDifficulty');
  }
  return r;
}
