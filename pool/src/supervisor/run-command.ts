import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_RUN_ROLES, parseRoleList, poolRoleSpecs } from './pool-roles.js';
import { runSupervised } from './run-supervised.js';
import { DEFAULT_KILL_TIMEOUT_MS } from './supervisor.js';

/** `farmhand-pool run`: several roles on one machine, each a supervised child process. */
export function runCommand(): Command {
  return new Command('run')
    .description(
      'a small pool in one command: each role as a child process, restarted within a second when it crashes',
    )
    .option('--roles <list>', 'comma-separated roles to run', DEFAULT_RUN_ROLES.join(','))
    .option('--config-dir <dir>', 'directory holding <role>.json for each role (passed to it as --config)')
    .option(
      '--kill-timeout <ms>',
      'how long a role may take to stop before it is killed',
      parseMs,
      DEFAULT_KILL_TIMEOUT_MS,
    )
    .action(async (opts: { roles: string; configDir?: string; killTimeout: number }) => {
      const roles = parseRoleList(opts.roles);
      if (!roles.ok) {
        console.error(`farmhand-pool run: ${roles.error.message}`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runSupervised(poolRoleSpecs(roles.value, opts.configDir), {
        killTimeoutMs: opts.killTimeout,
      });
    });
}

function parseMs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a whole number of milliseconds');
  return n;
}
