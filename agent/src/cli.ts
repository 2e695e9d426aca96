import { Command } from 'commander';
import { runTui } from '@farmhand/tui';
import { readFileSync } from 'node:fs';
import { registerShareCheck } from './commands/share-check.js';
import { registerSim } from './sim/command.js';
import { scanCommand } from './discovery/scan-command.js';
import { agentCommand } from './commands/agent-command.js';
import { runDemo } from './demo/demo.js';
import { minersCommand } from './commands/miners-command.js';
import { doctorCommand } from './commands/doctor-command.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('farmhand')
    .description('farmhand: the mining-farm edge agent')
    .version(pkg.version, '-V, --version');
  program
    .command('demo')
    .description('a whole simulated farm on embedded defaults (pool side, agent, fleet), TUI in front')
    .option('--miners <n>', 'simulated miners', (v) => Number(v), 24)
    .option('--data-dir <dir>', 'where logs and the SQLite store go (default: a new temp dir)')
    .option('--no-tui', 'print a summary line every 5 s instead of the TUI')
    .option('--duration <s>', 'stop after this many seconds (0: until Ctrl-C)', (v) => Number(v), 0)
    .action((o: { miners: number; dataDir?: string; tui: boolean; duration: number }) =>
      runDemo({
        miners: o.miners,
        tui: o.tui,
        duration: o.duration,
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      }),
    );
  program
    .command('tui')
    .description("the terminal UI, against a running agent's control API")
    .option('--agent <url>', 'control API address', 'http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token (control.token); or FARMHAND_TOKEN')
    .option('--refresh <ms>', 'refresh interval in milliseconds', '2000')
    .option('--ascii', 'ASCII glyphs only (also when NO_COLOR is set)')
    .action((o: { agent: string; token?: string; refresh: string; ascii?: boolean }) =>
      runTui({ agentUrl: o.agent, token: o.token, refreshMs: Number(o.refresh), ascii: o.ascii }),
    );
  registerShareCheck(program);
  registerSim(program);
  program.addCommand(scanCommand());
  program.addCommand(agentCommand());
  program.addCommand(minersCommand());
  program.addCommand(doctorCommand());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
