// `farmhand-pool metawriter --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { AlertSender, fatalToAlertcenter } from '../alertcenter/alert-sender.js';
import { parseMetawriterConfig } from './config.js';
import { startMetawriter } from './metawriter.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function metawriterCommand(): Command {
  return new Command('metawriter')
    .description('receive stats batches from gateways/metarelays and write them to Redis in the seed format')
    .requiredOption('--config <file>', 'JSON config file')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('metawriter', opts.config, parseMetawriterConfig);
      if (!config) return;
      const alert = config.value.alert;
      const sender = alert ? new AlertSender(alert.host, alert.target) : undefined;
      const log = pino({
        name: 'metawriter',
        level: config.value.logLevel,
        ...(sender ? { hooks: fatalToAlertcenter(sender) } : {}),
      });
      const notifier = createServiceNotifier();
      const running = await startMetawriter(config.value, log);
      notifier.ready('metawriter running');
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info(
          { signal, backlog: running.writer.counts.backlog },
          'stopping: flushing the backlog to redis',
        );
        // Unacked batches stay with their senders, so giving up on an unreachable Redis loses nothing.
        setTimeout(() => {
          log.error(
            { backlog: running.writer.counts.backlog },
            'redis unreachable for 30 s; exiting, senders resend',
          );
          process.exit(1);
        }, 30_000).unref();
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
