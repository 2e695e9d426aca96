// One place that turns a role's `redis` config into an ioredis client, standalone or Cluster.
// The writers own retrying: ioredis must not queue commands while offline nor resend unanswered ones
// on its own, or a command could be applied twice behind our back.
import { fail, ok, type Result } from '@farmhand/core';
import { Cluster, Redis } from 'ioredis';

export type RedisTarget = { readonly url: string } | { readonly cluster: readonly string[] };

export type RedisClient =
  | { readonly kind: 'standalone'; readonly client: Redis }
  | { readonly kind: 'cluster'; readonly client: Cluster };

const COMMON = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: (times: number) => Math.min(50 * times, 1000),
  connectTimeout: 5000,
} as const;

export function parseRedisTarget(v: unknown, path: string): Result<RedisTarget, 'CONFIG_INVALID'> {
  if (typeof v !== 'object' || v === null) {
    return fail(
      'CONFIG_INVALID',
      `${path}: expected {"url":"redis://host:port"} or {"cluster":["redis://host:port", ...]}`,
    );
  }
  const o = v as Record<string, unknown>;
  const isUrl = (s: unknown): s is string => typeof s === 'string' && /^rediss?:\/\/[^\s]+$/.test(s);
  if ('url' in o) {
    if (!isUrl(o.url)) return fail('CONFIG_INVALID', `${path}.url: expected a redis://host:port URL`);
    return ok({ url: o.url });
  }
  if ('cluster' in o) {
    if (!Array.isArray(o.cluster) || o.cluster.length === 0 || !o.cluster.every(isUrl)) {
      return fail(
        'CONFIG_INVALID',
        `${path}.cluster: expected a non-empty list of redis://host:port seed URLs`,
      );
    }
    return ok({ cluster: o.cluster as string[] });
  }
  return fail('CONFIG_INVALID', `${path}: give "url" (one Redis) or "cluster" (Redis Cluster seed nodes)`);
}

export function connectRedis(target: RedisTarget): RedisClient {
  if ('url' in target) return { kind: 'standalone', client: new Redis(target.url, COMMON) };
  const nodes = target.cluster.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
  const first = new URL(target.cluster[0]!);
  return {
    kind: 'cluster',
    client: new Cluster(nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: COMMON.retryStrategy,
      redisOptions: {
        ...COMMON,
        ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
        ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      },
    }),
  };
}
