// metawriter's JSON config, validated once at start with messages that name the offending key.
import { fail, ok, type Result } from '@farmhand/core';
import { parseRedisTarget, type RedisTarget } from './redis-connection.js';
import { parseAlertTarget } from '../alertcenter/alert-sender.js';
import { DEFAULT_WRITER_OPTIONS } from './stats-writer.js';

export interface MetawriterConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** Peers allowed to connect (IP addresses); empty = any. */
  readonly trust: readonly string[];
  readonly redis: RedisTarget;
  readonly markerPrefix: string;
  readonly markerTtlSeconds: number;
  readonly maxBacklogBatches: number;
  readonly keySetRefreshSeconds: number;
  readonly maxBodyBytes: number;
  readonly maxInFlightPerConnection: number;
  readonly logLevel: string;
  /** Where FATAL lines go: an alertcenter, and the host name they carry. */
  readonly alert?: {
    readonly host: string;
    readonly target: { readonly host: string; readonly port: number };
  };
}

export type ConfigCode = 'CONFIG_INVALID';

const KNOWN = new Set([
  'listen',
  'trust',
  'redis',
  'markerPrefix',
  'markerTtlSeconds',
  'maxBacklogBatches',
  'keySetRefreshSeconds',
  'maxBodyBytes',
  'maxInFlightPerConnection',
  'logLevel',
  'alert',
]);

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function parseMetawriterConfig(v: unknown): Result<MetawriterConfig, ConfigCode> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail('CONFIG_INVALID', 'config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k))
      return fail('CONFIG_INVALID', `config.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);
  }
  const listen = o.listen as Record<string, unknown> | undefined;
  if (
    typeof listen !== 'object' ||
    listen === null ||
    typeof listen.host !== 'string' ||
    !isPort(listen.port)
  ) {
    return fail(
      'CONFIG_INVALID',
      'config.listen: expected {"host":"127.0.0.1","port":3000} (port 0 picks a free one)',
    );
  }
  const trust = o.trust ?? [];
  if (!Array.isArray(trust) || !trust.every((t) => typeof t === 'string' && t.length > 0)) {
    return fail('CONFIG_INVALID', 'config.trust: expected a list of IP addresses allowed to connect');
  }
  const redis = parseRedisTarget(o.redis, 'config.redis');
  if (!redis.ok) return redis;
  const num = (k: string, dflt: number, min: number): number | string => {
    const x = o[k] ?? dflt;
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min
      ? x
      : `config.${k}: expected an integer ≥ ${min}`;
  };
  const fields = {
    markerTtlSeconds: num('markerTtlSeconds', DEFAULT_WRITER_OPTIONS.markerTtlSeconds, 60),
    maxBacklogBatches: num('maxBacklogBatches', DEFAULT_WRITER_OPTIONS.maxBacklogBatches, 1),
    keySetRefreshSeconds: num('keySetRefreshSeconds', DEFAULT_WRITER_OPTIONS.keySetRefreshSeconds, 1),
    maxBodyBytes: num('maxBodyBytes', 8 * 1024 * 1024, 1024),
    maxInFlightPerConnection: num('maxInFlightPerConnection', 256, 1),
  };
  for (const f of Object.values(fields)) if (typeof f === 'string') return fail('CONFIG_INVALID', f);
  const markerPrefix = o.markerPrefix ?? DEFAULT_WRITER_OPTIONS.markerPrefix;
  if (typeof markerPrefix !== 'string' || !/^[^\s]{1,64}$/.test(markerPrefix)) {
    return fail('CONFIG_INVALID', 'config.markerPrefix: expected a key prefix without blanks');
  }
  const logLevel = o.logLevel ?? 'info';
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel)) {
    return fail('CONFIG_INVALID', `config.logLevel: expected one of ${LEVELS.join(', ')}`);
  }
  let alert: MetawriterConfig['alert'];
  if (o.alert !== undefined) {
    const a = o.alert as Record<string, unknown>;
    const target = typeof a?.addr === 'string' ? parseAlertTarget(a.addr) : undefined;
    if (typeof a?.host !== 'string' || a.host === '' || !target) {
      return fail(
        'CONFIG_INVALID',
        'config.alert: expected {"host":"metawriter-1","addr":"127.0.0.1:10000"}',
      );
    }
    alert = { host: a.host, target };
  }
  return ok({
    ...(alert ? { alert } : {}),
    listen: { host: listen.host, port: listen.port as number },
    trust: trust as string[],
    redis: redis.value,
    markerPrefix,
    logLevel,
    ...(fields as { [K in keyof typeof fields]: number }),
  });
}

function isPort(p: unknown): boolean {
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535;
}
