// `farmhand-pool metarelay --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { readJsonConfig } from '../metawriter/config-file.js';
import { createServiceNotifier } from '../service/index.js';
import { parseMetarelayConfig } from './config.js';
import { startMetarelay } from './metarelay.js';

export function metarelayCommand(): Command {
  return new Command('metarelay')
    .description(
      "forward a region's stats batches to the central metawriter, spooled to disk while it is away",
    )
    .requiredOption('--config <file>', 'JSON config file (see docs/metarelay.md)')
    .action(async (opts: { config: string }) => {
      let raw: unknown;
      try {
        raw = readJsonConfig(opts.config);
      } catch (e) {
        console.error(`metarelay: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const config = parseMetarelayConfig(raw);
      if (!config.ok) {
        console.error(`metarelay: ${opts.config}: ${config.error.message}`);
        process.exitCode = 2;
        return;
      }
      const log = pino({ name: `metarelay-${config.value.name}`, level: config.value.logLevel });
      let running;
      try {
        running = await startMetarelay(config.value, log);
      } catch (e) {
        log.fatal(`cannot start: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      const notifier = createServiceNotifier();
      notifier.ready(`listening on ${running.address.port}`);
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info({ signal, pending: running.spool.pending }, 'stopping; unforwarded batches stay spooled');
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
