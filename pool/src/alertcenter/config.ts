// alertcenter's JSON config, validated once at start.
import { fail, ok, type Result } from '@farmhand/core';
import { parseRedisTarget, type RedisTarget } from '../metawriter/redis-connection.js';

export interface AlertcenterConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly udp: boolean;
  readonly tcp: boolean;
  readonly redis: RedisTarget;
  /** Alerts per host per minute that reach Redis; the excess is summarized. */
  readonly perHostPerMinute: number;
  readonly maxHosts: number;
  readonly maxLineBytes: number;
  readonly maxQueue: number;
  readonly logLevel: string;
}

const KNOWN = [
  'listen',
  'udp',
  'tcp',
  'redis',
  'perHostPerMinute',
  'maxHosts',
  'maxLineBytes',
  'maxQueue',
  'logLevel',
];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function parseAlertcenterConfig(v: unknown): Result<AlertcenterConfig, 'CONFIG_INVALID'> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail('CONFIG_INVALID', 'config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN.includes(k))
      return fail('CONFIG_INVALID', `config.${k}: unknown key (known: ${KNOWN.join(', ')})`);
  }
  const listen = o.listen as Record<string, unknown> | undefined;
  const port = listen?.port;
  if (
    typeof listen !== 'object' ||
    listen === null ||
    typeof listen.host !== 'string' ||
    typeof port !== 'number' ||
    !Number.isInteger(port) ||
    port < 0 ||
    port > 65535
  ) {
    return fail('CONFIG_INVALID', 'config.listen: expected {"host":"127.0.0.1","port":10000}');
  }
  const flag = (k: string): boolean | string => {
    const x = o[k] ?? true;
    return typeof x === 'boolean' ? x : `config.${k}: expected true or false`;
  };
  const udp = flag('udp');
  const tcp = flag('tcp');
  if (typeof udp === 'string') return fail('CONFIG_INVALID', udp);
  if (typeof tcp === 'string') return fail('CONFIG_INVALID', tcp);
  if (!udp && !tcp) return fail('CONFIG_INVALID', 'config: udp and tcp are both false; enable at least one');
  const redis = parseRedisTarget(o.redis, 'config.redis');
  if (!redis.ok) return redis;
  const num = (k: string, dflt: number, min: number): number | string => {
    const x = o[k] ?? dflt;
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min
      ? x
      : `config.${k}: expected an integer ≥ ${min}`;
  };
  const fields = {
    perHostPerMinute: num('perHostPerMinute', 20, 1),
    maxHosts: num('maxHosts', 10_000, 1),
    maxLineBytes: num('maxLineBytes', 10_240, 64),
    maxQueue: num('maxQueue', 10_000, 1),
  };
  for (const f of Object.values(fields)) if (typeof f === 'string') return fail('CONFIG_INVALID', f);
  const logLevel = o.logLevel ?? 'info';
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel)) {
    return fail('CONFIG_INVALID', `config.logLevel: expected one of ${LEVELS.join(', ')}`);
  }
  return ok({
    listen: { host: listen.host, port },
    udp,
    tcp,
    redis: redis.value,
    logLevel,
    ...(fields as { [K in keyof typeof fields]: number }),
  });
}
