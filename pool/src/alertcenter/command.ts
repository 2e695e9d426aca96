// `farmhand-pool alertcenter --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { startAlertcenter } from './alertcenter.js';
import { parseAlertcenterConfig } from './config.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function alertcenterCommand(): Command {
  return new Command('alertcenter')
    .description('receive FATAL log lines from every role and push them to the Redis list alert:message')
    .requiredOption('--config <file>', 'JSON config file')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('alertcenter', opts.config, parseAlertcenterConfig);
      if (!config) return;
      const log = pino({ name: 'alertcenter', level: config.value.logLevel });
      const notifier = createServiceNotifier();
      const running = await startAlertcenter(config.value, log);
      notifier.ready('alertcenter running');
      const stop = (): void => {
        notifier.stopping();
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
