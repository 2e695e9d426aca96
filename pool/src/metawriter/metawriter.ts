// The metawriter role: config → Redis client → writer → stats listener, and an orderly stop that
// drains the backlog into Redis before exiting.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { MetawriterConfig } from './config.js';
import { connectRedis } from './redis-connection.js';
import { ClusterSink, StandaloneSink } from './redis-sink.js';
import { StatsListener } from './stats-listener.js';
import { StatsWriter } from './stats-writer.js';

export interface RunningMetawriter {
  readonly address: AddressInfo;
  readonly writer: StatsWriter;
  stop(): Promise<void>;
}

export async function startMetawriter(config: MetawriterConfig, log: Logger): Promise<RunningMetawriter> {
  const redis = connectRedis(config.redis);
  let redisDown = false;
  redis.client.on('error', (e: Error) => {
    if (!redisDown) log.error({ err: e.message }, 'redis connection error; batches wait in the backlog');
    redisDown = true;
  });
  redis.client.on('ready', () => {
    if (redisDown) log.info('redis connection back');
    redisDown = false;
  });
  const sink = redis.kind === 'standalone' ? new StandaloneSink(redis.client) : new ClusterSink(redis.client);
  const writer = new StatsWriter(sink, {
    markerPrefix: config.markerPrefix,
    markerTtlSeconds: config.markerTtlSeconds,
    maxBacklogBatches: config.maxBacklogBatches,
    keySetRefreshSeconds: config.keySetRefreshSeconds,
    onEvent: (e) => {
      if (e.type === 'redis_error' && (e.failures === 1 || e.failures % 60 === 0)) {
        // The seed raised a FATAL every 60th consecutive failure; so do we.
        const level = e.failures >= 60 ? 'fatal' : 'error';
        log[level]({ failures: e.failures }, `redis write failed: ${e.message}`);
      } else if (e.type === 'redis_recovered') {
        log.info({ failures: e.failures }, 'redis writes resumed; backlog flushing');
      } else if (e.type === 'refused') {
        log.error({ commands: e.commands.slice(0, 10) }, 'redis refused some commands (wrong key type?)');
      }
    },
  });
  const listener = new StatsListener(writer, {
    host: config.listen.host,
    port: config.listen.port,
    trust: config.trust,
    maxBodyBytes: config.maxBodyBytes,
    maxInFlightPerConnection: config.maxInFlightPerConnection,
    onLog: (level, msg) => log[level](msg),
  });
  const address = await listener.listen();
  log.info({ host: address.address, port: address.port, redis: redis.kind }, 'metawriter listening');
  return {
    address,
    writer,
    async stop() {
      await listener.close();
      await writer.close();
      redis.client.disconnect();
    },
  };
}
