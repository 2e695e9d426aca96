// The alertcenter role: alert lines in (UDP/TCP), rate limited per host, pushed to `alert:message`.
import type { Logger } from 'pino';
import { connectRedis } from '../metawriter/redis-connection.js';
import { formatAlert } from './alert-line.js';
import { AlertListener } from './alert-listener.js';
import { AlertPusher } from './alert-pusher.js';
import type { AlertcenterConfig } from './config.js';
import { RateLimiter } from './rate-limiter.js';

export interface RunningAlertcenter {
  readonly port: number;
  readonly pusher: AlertPusher;
  /** Push the summaries of ended minutes now (the timer does it every few seconds). */
  summarize(now?: number): void;
  stop(): Promise<void>;
}

export interface AlertcenterHooks {
  /** Unix seconds; tests pin it to cross minute boundaries. */
  readonly now?: () => number;
}

export async function startAlertcenter(
  config: AlertcenterConfig,
  log: Logger,
  hooks: AlertcenterHooks = {},
): Promise<RunningAlertcenter> {
  const now = hooks.now ?? (() => Date.now() / 1000);
  const redis = connectRedis(config.redis);
  redis.client.on('error', () => {});
  const pusher = new AlertPusher(redis.client, {
    maxQueue: config.maxQueue,
    maxPerPush: 100,
    retryMs: 500,
    onError: (message, failures) => {
      if (failures === 1 || failures % 60 === 0) log.error({ failures }, `redis push failed: ${message}`);
    },
  });
  const limiter = new RateLimiter({ perMinute: config.perHostPerMinute, maxHosts: config.maxHosts });
  const listener = new AlertListener({
    host: config.listen.host,
    port: config.listen.port,
    udp: config.udp,
    tcp: config.tcp,
    maxLineBytes: config.maxLineBytes,
    onAlert: (a) => {
      if (limiter.admit(a, now())) pusher.push(formatAlert(a));
    },
  });
  const { port } = await listener.listen();
  const summarize = (t = now()): void => {
    for (const s of limiter.takeSummaries(t)) pusher.push(formatAlert(s));
    const dropped = pusher.takeDropped();
    if (dropped > 0) {
      log.error({ dropped }, 'alert queue overflowed while redis was away');
      pusher.push(
        `alertcenter: ${dropped} alert(s) dropped while Redis was unreachable (queue limit ${config.maxQueue})`,
      );
    }
  };
  const timer = setInterval(() => summarize(), 5000);
  timer.unref();
  log.info({ host: config.listen.host, port, udp: config.udp, tcp: config.tcp }, 'alertcenter listening');
  return {
    port,
    pusher,
    summarize,
    async stop() {
      clearInterval(timer);
      await listener.close();
      summarize(Infinity);
      await pusher.close();
      redis.client.disconnect();
    },
  };
}
