// `farmhand-pool metarelay --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';
import { parseMetarelayConfig } from './config.js';
import { startMetarelay } from './metarelay.js';

export function metarelayCommand(): Command {
  return new Command('metarelay')
    .description(
      "forward a region's stats batches to the central metawriter, spooled to disk while it is away",
    )
    .requiredOption('--config <file>', 'JSON config file (see docs/metarelay.md)')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('metarelay', opts.config, parseMetarelayConfig);
      if (!config) return;
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
