import { Command, InvalidArgumentError } from 'commander';
import { parseSmallPoolFlags, runSmallPool, wantsSmallPool, type SmallPoolFlags } from '../run/index.js';
import { DEFAULT_RUN_ROLES, parseRoleList, poolRoleSpecs } from './pool-roles.js';
import { runSupervised } from './run-supervised.js';
import { DEFAULT_KILL_TIMEOUT_MS } from './supervisor.js';

interface RunOptions extends SmallPoolFlags {
  roles?: string;
  configDir?: string;
  killTimeout: number;
}

/**
 * `farmhand-pool run`: several roles on one machine, each a supervised child process. With
 * --payout-address (a small pool in one command) the configs are generated from the flags; otherwise
 * each role reads <config-dir>/<role>.json.
 */
export function runCommand(): Command {
  return new Command('run')
    .description(
      'a small pool in one command: each role as a child process, restarted within a second when it crashes',
    )
    .option('--bitcoind-url <url>', 'the node: http://user:pass@host:port (small pool)')
    .option('--bitcoind-cookie <file>', "the node's .cookie file instead of user:pass in the url")
    .option('--payout-address <addr>', 'address that receives block rewards; generates the configs')
    .option('--stratum-port <port>', 'port for direct Stratum V1 miners (default 3333)')
    .option('--uplink-port <port>', 'port for farmhand agents (needs --agent-token)')
    .option('--agent-token <id:token>', 'an agent allowed on the uplink (repeatable)', collect, [])
    .option('--coin <coin>', 'coin of the stats keys', 'btc')
    .option('--min-difficulty <d>', 'lowest share difficulty; fractions allowed (regtest, CPU miners)')
    .option('--data-dir <dir>', 'generated configs and the stats spool (default ./farmhand-pool-data)')
    .option('--redis <url>', 'also run a metawriter writing stats to this Redis (redis://host:port)')
    .option('--listen-host <host>', 'address the miner and agent ports listen on', '0.0.0.0')
    .option('--log-level <level>', 'log level of the roles', 'info')
    .option('--roles <list>', `comma-separated roles to run (default ${DEFAULT_RUN_ROLES.join(',')})`)
    .option('--config-dir <dir>', 'directory holding <role>.json for each role (passed to it as --config)')
    .option(
      '--kill-timeout <ms>',
      'how long a role may take to stop before it is killed',
      parseMs,
      DEFAULT_KILL_TIMEOUT_MS,
    )
    .action(async (opts: RunOptions) => {
      const options = { killTimeoutMs: opts.killTimeout };
      if (wantsSmallPool(opts)) {
        if (opts.roles !== undefined || opts.configDir !== undefined) {
          console.error(
            'farmhand-pool run: --roles/--config-dir run your own configs; the node flags generate them. Give one or the other.',
          );
          process.exitCode = 2;
          return;
        }
        const plan = parseSmallPoolFlags(opts);
        if (!plan.ok) {
          console.error(`farmhand-pool run: ${plan.error.message}`);
          process.exitCode = 2;
          return;
        }
        process.exitCode = await runSmallPool(plan.value, options);
        return;
      }
      const roles = parseRoleList(opts.roles ?? DEFAULT_RUN_ROLES.join(','));
      if (!roles.ok) {
        console.error(`farmhand-pool run: ${roles.error.message}`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runSupervised(poolRoleSpecs(roles.value, opts.configDir), options);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseMs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a whole number of milliseconds');
  return n;
}
