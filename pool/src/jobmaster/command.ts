// `farmhand-pool jobmaster --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { parseJobmasterConfig } from './config.js';
import { Jobmaster } from './jobmaster.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function jobmasterCommand(): Command {
  return new Command('jobmaster')
    .description('turn bitcoind block templates into jobs for the gateways and submit found blocks')
    .requiredOption('--config <file>', 'JSON config file (see docs/jobmaster.md)')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('jobmaster', opts.config, parseJobmasterConfig);
      if (!config) return;
      const log = pino({ name: 'jobmaster', level: config.value.logLevel });
      const jobmaster = new Jobmaster(config.value, log);
      const notifier = createServiceNotifier();
      try {
        await jobmaster.start();
      } catch (e) {
        log.fatal(
          `cannot listen on ${config.value.listen.host}:${config.value.listen.port}: ${(e as Error).message}`,
        );
        process.exitCode = 1;
        return;
      }
      notifier.ready('jobmaster serving');
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info({ signal }, 'stopping');
        void jobmaster.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
