import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runCommand } from './supervisor/index.js';
import { metawriterCommand } from './metawriter/command.js';
import { alertcenterCommand } from './alertcenter/command.js';
import { fakeBitcoindCommand } from './fake-bitcoind/command.js';
import { gatewayCommand } from './gateway/command.js';
import { jobmasterCommand } from './jobmaster/command.js';
import { bitpeerCommand } from './bitpeer/command.js';
import { poolbenchCommand } from './poolbench/command.js';
import { blockmasterCommand } from './blockmaster/command.js';
import { metarelayCommand } from './metarelay/command.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  return new Command('farmhand-pool')
    .description('farmhand pool companion: gateway, jobmaster, metawriter and the other roles')
    .version(pkg.version, '-V, --version')
    .addCommand(runCommand())
    .addCommand(metawriterCommand())
    .addCommand(metarelayCommand())
    .addCommand(alertcenterCommand())
    .addCommand(fakeBitcoindCommand())
    .addCommand(jobmasterCommand())
    .addCommand(gatewayCommand())
    .addCommand(bitpeerCommand())
    .addCommand(poolbenchCommand())
    .addCommand(blockmasterCommand());
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
