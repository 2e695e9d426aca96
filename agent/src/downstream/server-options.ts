import type { VardiffConfig } from '@farmhand/core/vardiff';
import type { InvalidShareGuardOptions } from '@farmhand/core/session';
import type { ShareValidatorOptions } from '@farmhand/core/share';
import { BIP320_VERSION_MASK, DEFAULT_MAX_LINE_BYTES } from '@farmhand/core/stratum';
import type { Logger } from 'pino';

export interface StratumServerOptions {
  readonly host: string;
  readonly port: number;
  readonly vardiff: VardiffConfig;
  readonly startDifficulty: number;
  /** Longest accepted line; a longer one gets an error and a close. Default 16 KiB. */
  readonly maxLineBytes?: number;
  /** Connections from one address. Default 64. */
  readonly maxConnectionsPerIp?: number;
  /** Connections in all. Default 20000. */
  readonly maxConnections?: number;
  /** Version bits miners may roll. Default 1fffe000 (BIP320). */
  readonly versionMask?: number;
  readonly logger: Logger;
  /** Messages per second per connection, and the burst allowed. Default 20/s, burst 100. */
  readonly floodRatePerSecond?: number;
  readonly floodBurst?: number;
  /** A connection with no inbound line for this long is closed. Default 300 s (seed client_max_idle_time). */
  readonly idleTimeoutMs?: number;
  /** A miner whose unsent output exceeds this is dropped as a slow consumer. Default 1 MiB. */
  readonly maxWriteBufferBytes?: number;
  /** Re-send the last job when no new one came for this long. Default 55 s (seed broadcast_timeout). */
  readonly rebroadcastMs?: number;
  /** Counter bytes appended to the upstream extranonce1 per miner. Default 2. */
  readonly extranonceCounterBytes?: number;
  /** Fewest extranonce2 bytes left to miners. Default 2. */
  readonly minMinerExtranonce2Size?: number;
  /** Housekeeping period: vardiff ticks, idle checks, rebroadcast. Default 1 s. */
  readonly tickMs?: number;
  readonly invalidShares?: InvalidShareGuardOptions;
  readonly validator?: Partial<ShareValidatorOptions>;
}

export type ResolvedServerOptions = Required<Omit<StratumServerOptions, 'invalidShares' | 'validator'>> &
  Pick<StratumServerOptions, 'invalidShares' | 'validator'>;

export function resolveServerOptions(o: StratumServerOptions): ResolvedServerOptions {
  return {
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    maxConnectionsPerIp: 64,
    maxConnections: 20_000,
    versionMask: BIP320_VERSION_MASK,
    floodRatePerSecond: 20,
    floodBurst: 100,
    idleTimeoutMs: 300_000,
    maxWriteBufferBytes: 1024 * 1024,
    rebroadcastMs: 55_000,
    extranonceCounterBytes: 2,
    minMinerExtranonce2Size: 2,
    tickMs: 1000,
    ...stripUndefined(o),
  } as ResolvedServerOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
