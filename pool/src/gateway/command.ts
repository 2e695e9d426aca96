// `farmhand-pool gateway --config FILE`
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { pino } from 'pino';
import { parseGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createServiceNotifier } from '../service/index.js';

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description(
      'Stratum V1 server for direct miners and uplink server for agents; shares to stats, blocks to the jobmaster',
    )
    .requiredOption('--config <file>', 'JSON config file')
    .action(async (opts: { config: string }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(opts.config, 'utf8'));
      } catch (e) {
        console.error(`gateway: ${opts.config}: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const config = parseGatewayConfig(raw);
      if (!config.ok) {
        console.error(`gateway: ${opts.config}: ${config.error.message}`);
        process.exitCode = 2;
        return;
      }
      const log = pino({ name: `gateway-${config.value.name}`, level: config.value.logLevel });
      const notifier = createServiceNotifier();
      const running = await startGateway(config.value, log);
      notifier.ready(`gateway ${config.value.name} serving`);
      const stop = (signal: string): void => {
        notifier.stopping();
        log.info({ signal }, 'stopping: flushing stats to the spool');
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
