import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type Result } from '@farmhand/core';
import { parseConfig } from '@farmhand/core/config';
import { serialConfigSchema } from '../serial/serial-config.js';

// The agent's one config file (JSON). Every key has a default, so `farmhand agent` runs with no file.
// docs/agent-config.md documents each key; keep the two in step.

const difficulty = z.number().positive().finite();
const port = z.number().int().min(0).max(65535);
const hex32 = z.string().regex(/^[0-9a-fA-F]{1,8}$/, 'expected up to 8 hex digits');

const upstream = z.union([
  z.string().min(1),
  z
    .object({
      url: z.string().min(1),
      name: z.string().min(1).optional(),
      enabled: z.boolean().default(true),
    })
    .strict(),
]);

export const agentConfigSchema = z
  .object({
    $comment: z.unknown().optional(),
    dataDir: z.string().min(1).optional(),
    stratum: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: port.default(3333),
        startDifficulty: difficulty.default(1024),
        minDifficulty: difficulty.default(16),
        maxDifficulty: difficulty.default(2 ** 40),
        targetShareSeconds: z.number().positive().default(4),
        retargetSeconds: z.number().positive().default(120),
        versionMask: hex32.default('1fffe000'),
        maxLineBytes: z.number().int().min(1024).default(16384),
        maxConnectionsPerIp: z.number().int().min(1).default(256),
        idleTimeoutSeconds: z.number().positive().default(600),
      })
      .strict()
      .prefault({}),
    control: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(8080),
        token: z.string().min(16, 'a control token must be at least 16 characters').optional(),
      })
      .strict()
      .prefault({}),
    upstreams: z.array(upstream).default([]),
    /** Miners keep mining the last job this long with no upstream before they are let go to their backup pools. */
    upstreamGraceSeconds: z.number().min(0).default(300),
    buffer: z
      .object({ maxShares: z.number().int().min(1000).default(5_000_000) })
      .strict()
      .prefault({}),
    /** Finding and adopting the farm's miners (docs/discovery.md). Only the listed ranges are ever scanned. */
    discovery: z
      .object({
        ranges: z.array(z.string().min(1)).default([]),
        /** 0: scan only when asked (control API). */
        scanIntervalSeconds: z.number().min(0).default(0),
        scanBudgetSeconds: z.number().positive().default(60),
        scanConcurrency: z.number().int().min(1).max(256).default(64),
        /** Status of every inventory device is read this often; 0 turns polling off. */
        pollIntervalSeconds: z.number().min(0).default(60),
        pollConcurrency: z.number().int().min(1).max(64).default(8),
        ipReport: z
          .object({
            enabled: z.boolean().default(true),
            antminerPort: port.default(14235),
            whatsminerPort: port.default(8888),
          })
          .strict()
          .prefault({}),
        mdns: z
          .object({
            enabled: z.boolean().default(true),
            browseIntervalSeconds: z.number().min(0).default(300),
            /** Unicast on 127.0.0.1 to/from this port instead of multicast (tests, the demo). */
            loopbackPort: port.optional(),
            /** Where a loopback browse sends its query (a simulated responder). */
            browseTargetPort: port.optional(),
          })
          .strict()
          .prefault({}),
        /** By firmware profile id or make: overrides the profile's default credentials. */
        credentials: z
          .record(z.string(), z.object({ user: z.string(), password: z.string() }).strict())
          .default({}),
        naming: z.enum(['ip', 'serial', 'mac']).default('ip'),
        /** Account part of adopted workers' names (<account>.<name>). */
        account: z.string().min(1).default('farm'),
        /** Address miners use to reach the agent; default: this machine's address on the miner's subnet. */
        agentAddress: z.string().min(1).optional(),
        /** Default device port → port really used, e.g. {"4028": 14028} (simulators, tests). */
        portMap: z.record(z.string().regex(/^\d{1,5}$/), port).default({}),
      })
      .strict()
      .prefault({}),
    /** USB and serial miners the agent drives itself (docs/serial-miners.md). */
    serial: serialConfigSchema,
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => c.stratum.minDifficulty <= c.stratum.maxDifficulty, {
    message: 'stratum.minDifficulty must not exceed stratum.maxDifficulty',
  });

export type AgentConfig = z.infer<typeof agentConfigSchema> & { dataDir: string };

export function defaultDataDir(): string {
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(state, 'farmhand');
}

export function parseAgentConfig(value: unknown, where = 'config'): Result<AgentConfig, 'CONFIG_INVALID'> {
  const r = parseConfig(agentConfigSchema, value ?? {}, where);
  if (!r.ok) return r;
  return { ok: true, value: { ...r.value, dataDir: r.value.dataDir ?? defaultDataDir() } };
}

/** The command-line flags that override the file. */
export interface AgentFlags {
  config?: string;
  stratumPort?: number;
  controlPort?: number;
  dataDir?: string;
  upstream?: string[];
  minDifficulty?: number;
  startDifficulty?: number;
  logLevel?: string;
  /** Serial ports to mine with (repeatable --serial). */
  serial?: string[];
  serialAccount?: string;
}

/** Applies flags on top of the raw file contents, before validation, so one schema checks both. */
export function withFlags(raw: unknown, flags: AgentFlags): Record<string, unknown> {
  const base = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const section = (name: string): Record<string, unknown> => ({
    ...((base[name] as Record<string, unknown>) ?? {}),
  });
  const stratum = section('stratum');
  const control = section('control');
  const log = section('log');
  if (flags.stratumPort !== undefined) stratum.port = flags.stratumPort;
  if (flags.minDifficulty !== undefined) stratum.minDifficulty = flags.minDifficulty;
  if (flags.startDifficulty !== undefined) stratum.startDifficulty = flags.startDifficulty;
  if (flags.controlPort !== undefined) control.port = flags.controlPort;
  if (flags.logLevel !== undefined) log.level = flags.logLevel;
  const serial = section('serial');
  if (flags.serial?.length)
    serial.ports = [...((serial.ports as unknown[]) ?? []), ...flags.serial.map((path) => ({ path }))];
  if (flags.serialAccount !== undefined) serial.account = flags.serialAccount;
  return {
    ...base,
    stratum,
    control,
    log,
    serial,
    ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
    ...(flags.upstream?.length ? { upstreams: flags.upstream } : {}),
  };
}
