// `farmhand-pool gateway --config FILE`
import { Command } from 'commander';
import { pino } from 'pino';
import { parseGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createServiceNotifier, loadRoleConfig } from '../service/index.js';

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description(
      'Stratum V1 server for direct miners and uplink server for agents; shares to stats, blocks to the jobmaster',
    )
    .requiredOption('--config <file>', 'JSON config file')
    .action(async (opts: { config: string }) => {
      const config = loadRoleConfig('gateway', opts.config, parseGatewayConfig);
      if (!config) return;
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
