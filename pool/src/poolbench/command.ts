// `farmhand-pool poolbench --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { parsePoolbenchConfig } from './config.js';
import { Poolbench } from './poolbench.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function poolbenchCommand(): Command {
  return new Command('poolbench')
    .description('watch other pools’ jobs; tell the jobmasters about a new tip they reach first')
    .requiredOption('--config <file>', 'JSON config file (see docs/poolbench.md)')
    .action((opts: { config: string }) => {
      const config = loadRoleConfig('poolbench', opts.config, parsePoolbenchConfig);
      if (!config) return;
      const log = pino({ name: 'poolbench', level: config.value.logLevel });
      const bench = new Poolbench(config.value, log);
      const notifier = createServiceNotifier();
      bench.start();
      notifier.ready('poolbench watching');
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info({ signal }, 'stopping');
        bench.stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
