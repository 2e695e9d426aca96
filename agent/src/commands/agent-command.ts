import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { Agent, AgentStartError } from '../agent.js';
import { parseAgentConfig, withFlags, type AgentConfig, type AgentFlags } from '../config/index.js';
import { AgentControl } from '../control/agent-control.js';
import { ControlApiError, ControlServer } from '../control/index.js';
import { createServiceNotifier } from '../service/index.js';
import { SerialService } from '../serial/index.js';

// `farmhand agent`: the appliance daemon. Logs are JSON lines on stdout (journald keeps them).

export interface RunningAgent {
  agent: Agent;
  control: ControlServer;
  controlPort: number;
  /** USB and serial miners (docs/serial-miners.md). */
  serial: SerialService;
  stop(): Promise<void>;
}

export function loadAgentConfig(flags: AgentFlags): AgentConfig {
  let raw: unknown = {};
  if (flags.config) {
    if (!existsSync(flags.config))
      throw new AgentStartError('CONFIG_MISSING', `config file ${flags.config} does not exist`);
    try {
      raw = JSON.parse(readFileSync(flags.config, 'utf8'));
    } catch (e) {
      throw new AgentStartError(
        'CONFIG_INVALID',
        `config ${flags.config} is not valid JSON: ${(e as Error).message}`,
      );
    }
  }
  const r = parseAgentConfig(withFlags(raw, flags), flags.config ?? 'config');
  if (!r.ok) throw new AgentStartError(r.error.code, r.error.message);
  return r.value;
}

/** Starts the agent and its control API (the library entry used by `farmhand demo` and tests). */
export async function runAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  const agent = await Agent.start(config, log);
  let control: ControlServer;
  let controlPort: number;
  const source = new AgentControl(agent);
  try {
    control = new ControlServer(source, {
      host: config.control.host,
      port: config.control.port,
      logger: log.child({ part: 'control' }),
      ...(config.control.token ? { token: config.control.token } : {}),
    });
    controlPort = (await control.listen()).port;
  } catch (e) {
    await agent.stop();
    throw e;
  }
  agent.discovery.setControlPort(controlPort); // the mDNS advertisement names the real port
  log.info({ stratumPort: agent.port, controlPort, dataDir: config.dataDir }, 'agent running');
  // Serial devices mine through the agent's own stratum port, so they start once it listens.
  const serial = new SerialService({
    config: config.serial,
    stratumPort: agent.port,
    logger: log.child({ part: 'serial' }),
    onEvent: (e) => agent.store.events.add({ at: Date.now(), ...e }),
  });
  serial.start();
  source.serialSource = serial;
  return {
    agent,
    control,
    controlPort,
    serial,
    async stop() {
      await serial.stop();
      await control.close();
      await agent.stop();
    },
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const num = (v: string) => Number(v);

export function agentCommand(): Command {
  return new Command('agent')
    .description('run the appliance daemon: stratum server for the farm, uplink, SQLite buffer, control API')
    .option('--config <file>', 'JSON config file (every key documented in docs/agent-config.md)')
    .option('--stratum-port <port>', 'stratum port for the farm’s miners (default 3333)', num)
    .option('--control-port <port>', 'control API port on 127.0.0.1 (default 8080)', num)
    .option('--data-dir <dir>', 'where the SQLite store lives')
    .option(
      '--upstream <url>',
      'upstream, repeatable in priority order: stratum+tcp://[user[:pass]@]host:port or farmhand+tcp://AGENT_ID:TOKEN@host:port',
      collect,
    )
    .option('--min-difficulty <d>', 'lowest share difficulty (fractions allowed)', num)
    .option('--start-difficulty <d>', 'difficulty a new miner starts at (fractions allowed)', num)
    .option(
      '--serial <path>',
      'serial port of an Icarus-protocol miner, repeatable (USB ids unknown, ptys)',
      collect,
    )
    .option(
      '--serial-account <name>',
      'account of serial miners’ workers (<account>.<port name or USB serial>)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .action(async (flags: AgentFlags) => {
      let config: AgentConfig;
      try {
        config = loadAgentConfig(flags);
      } catch (e) {
        console.error(`farmhand agent: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const log = pino({ name: 'farmhand-agent', level: config.log.level });
      const notifier = createServiceNotifier();
      let running: RunningAgent;
      try {
        running = await runAgent(config, log);
      } catch (e) {
        const code =
          e instanceof AgentStartError || e instanceof ControlApiError
            ? e.code
            : ((e as NodeJS.ErrnoException).code ?? 'START_FAILED');
        log.fatal({ code }, (e as Error).message);
        process.exitCode = 1;
        return;
      }
      notifier.ready(`serving stratum on ${running.agent.port}`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        notifier.stopping();
        log.info({ signal }, 'stopping');
        await running.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
