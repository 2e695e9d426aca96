import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerShareCheck } from './commands/share-check.js';
import { scanCommand } from './discovery/scan-command.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('farmhand')
    .description('farmhand: the mining-farm edge agent')
    .version(pkg.version, '-V, --version');
  program
    .command('demo')
    .description('a whole simulated farm on embedded defaults, TUI in front')
    .action(() => {
      console.log(
        'farmhand demo: the simulated farm is not built yet. Available now: farmhand share check --help',
      );
    });
  registerShareCheck(program);
  program.addCommand(scanCommand());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
