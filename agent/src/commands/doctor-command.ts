import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatReport, runDoctor } from '../doctor/index.js';

// `farmhand doctor [--config FILE] [--agent URL] [--json]`: exit 0 when nothing failed, 1 otherwise.

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

interface DoctorFlags {
  config?: string;
  dataDir?: string;
  agent?: string;
  token?: string;
  json?: boolean;
  bufferWarn?: number;
  timeout?: number;
  systemd?: boolean;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check the installed or running appliance and say in plain words what to fix')
    .option('--config <file>', 'the agent config to check (default /etc/farmhand/agent.json when present)')
    .option('--data-dir <dir>', 'the data directory, if the agent is started with --data-dir')
    .option('--agent <url>', "the running agent's control API (default from control.host/port)")
    .option('--token <token>', 'control API token (default control.token; or FARMHAND_TOKEN)')
    .option('--json', 'one JSON object for scripts: {ok, checks: [{id, level, message, fix?}]}')
    .option('--buffer-warn <shares>', 'warn when more shares than this wait for the upstream', Number)
    .option('--timeout <ms>', 'TCP connect timeout per upstream', Number)
    .option('--no-systemd', 'leave out the systemd unit check')
    .action(async (flags: DoctorFlags) => {
      const token = flags.token ?? process.env.FARMHAND_TOKEN;
      const r = await runDoctor({
        ...(flags.config !== undefined ? { config: flags.config } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        ...(flags.agent !== undefined ? { agentUrl: flags.agent } : {}),
        ...(token ? { token } : {}),
        ...(flags.bufferWarn !== undefined ? { bufferWarn: flags.bufferWarn } : {}),
        ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
        systemd: flags.systemd !== false,
        version: pkg.version,
      });
      console.log(flags.json ? JSON.stringify(r, null, 2) : formatReport(r));
      process.exitCode = r.ok ? 0 : 1;
    });
}
