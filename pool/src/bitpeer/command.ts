// `farmhand-pool bitpeer --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { parseBitpeerConfig } from './config.js';
import { Bitpeer } from './bitpeer.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function bitpeerCommand(): Command {
  return new Command('bitpeer')
    .description('light Bitcoin P2P node: new tips to the jobmasters at once, found blocks to many nodes')
    .requiredOption('--config <file>', 'JSON config file (see docs/bitpeer.md)')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('bitpeer', opts.config, parseBitpeerConfig);
      if (!config) return;
      const log = pino({ name: 'bitpeer', level: config.value.logLevel });
      const bitpeer = new Bitpeer(config.value, log);
      const notifier = createServiceNotifier();
      try {
        const { port } = await bitpeer.start();
        if (port !== undefined) log.info({ port }, 'listening for blockmasters');
      } catch (e) {
        log.fatal(`cannot start: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      notifier.ready('bitpeer running');
      // SIGHUP re-reads the peer list without a restart.
      process.on('SIGHUP', () => bitpeer.reload());
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info({ signal }, 'stopping');
        void bitpeer.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
