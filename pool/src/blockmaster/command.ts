// `farmhand-pool blockmaster --config FILE`
import { readFileSync } from 'node:fs';
import { loadRoleConfig } from '../service/index.js';
import { Command } from 'commander';
import { pino } from 'pino';
import { parseBlockmasterConfig } from './config.js';
import { Blockmaster } from './blockmaster.js';

export function blockmasterCommand(): Command {
  return new Command('blockmaster')
    .description('relay found blocks at once: raw to bitpeers, thin to blockmasters in other regions')
    .requiredOption('--config <file>', 'JSON config file (see docs/blockmaster.md)')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('blockmaster', opts.config, parseBlockmasterConfig);
      if (!config) return;
      const log = pino({ name: 'blockmaster', level: config.value.logLevel });
      const bm = new Blockmaster(config.value, log);
      try {
        const { port } = await bm.start();
        log.info({ port }, 'listening for peer blockmasters');
      } catch (e) {
        log.fatal(`cannot start: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      // SIGHUP re-reads the config file's bitpeers and peers without a restart.
      process.on('SIGHUP', () => {
        try {
          const again = parseBlockmasterConfig(JSON.parse(readFileSync(opts.config, 'utf8')));
          if (!again.ok) return log.error(`reload: ${again.error.message}; keeping the current links`);
          bm.setLinks(again.value);
        } catch (e) {
          log.error(`reload: cannot read ${opts.config}: ${(e as Error).message}; keeping the current links`);
        }
      });
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        void bm.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
