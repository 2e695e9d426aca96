// `farmhand-pool poolbench --config FILE`
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { pino } from 'pino';
import { parsePoolbenchConfig } from './config.js';
import { Poolbench } from './poolbench.js';
import { createServiceNotifier } from '../service/index.js';

export function poolbenchCommand(): Command {
  return new Command('poolbench')
    .description('watch other pools’ jobs; tell the jobmasters about a new tip they reach first')
    .requiredOption('--config <file>', 'JSON config file (see docs/poolbench.md)')
    .action((opts: { config: string }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(opts.config, 'utf8'));
      } catch (e) {
        console.error(`poolbench: cannot read config ${opts.config}: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const config = parsePoolbenchConfig(raw);
      if (!config.ok) {
        console.error(`poolbench: ${opts.config}: ${config.error.message}`);
        process.exitCode = 2;
        return;
      }
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
