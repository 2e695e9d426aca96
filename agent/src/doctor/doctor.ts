import { parseAgentConfig } from '../config/index.js';
import { controlUrl, probeAgent, type AgentProbe } from './agent-probe.js';
import { check, report, type CheckResult, type DoctorReport } from './check-result.js';
import { checkClock, readClock, type ClockFacts } from './clock-check.js';
import { checkConfig } from './config-check.js';
import { checkBuffer, checkDataDir, checkStore } from './data-dir-check.js';
import { checkPort } from './port-check.js';
import { checkSystemd } from './systemd-check.js';
import { checkUpstreams } from './upstream-check.js';

// `farmhand doctor`: every check in the order a technician would fix things.

export interface DoctorOptions {
  /** The agent's config file; default /etc/farmhand/agent.json when present. */
  readonly config?: string;
  /** Overrides the data directory (as the agent's --data-dir). */
  readonly dataDir?: string;
  /** The control API to ask; default from the config's control.host/port. */
  readonly agentUrl?: string;
  /** Bearer token for the control API; default control.token. */
  readonly token?: string;
  /** Buffer depth above which the doctor warns. */
  readonly bufferWarn?: number;
  /** TCP connect timeout per upstream. */
  readonly timeoutMs?: number;
  /** This program's version, to spot an agent still running an older release. */
  readonly version?: string;
  /** The user the service runs as (judged when the doctor runs as root); default farmhand. */
  readonly serviceUser?: string;
  /** Set false to leave systemd out (tests, machines where the unit is not ours to judge). */
  readonly systemd?: boolean;
  /** Clock facts to judge; default: read them from this machine. */
  readonly clock?: ClockFacts;
}

export const DEFAULT_BUFFER_WARN = 10_000;

function checkAgent(probe: AgentProbe, version: string | undefined): CheckResult {
  if (!probe.health) {
    if (probe.error === 'the control API refused the token')
      return check(
        'agent',
        'fail',
        `${probe.url}: the control API refused the token`,
        'pass --token matching control.token (or set FARMHAND_TOKEN)',
      );
    return check(
      'agent',
      'warn',
      `${probe.error ?? 'no answer'}: the agent is not running`,
      'start it: sudo systemctl start farmhand-agent (or farmhand agent --config FILE)',
    );
  }
  const h = probe.health;
  const running = `agent ${h.version} answers at ${probe.url}, up ${h.uptimeS} s`;
  if (version && h.version !== version)
    return check(
      'agent',
      'warn',
      `${running}, but this is farmhand ${version}`,
      'restart it to run the installed release: sudo systemctl restart farmhand-agent',
    );
  const notOk = Object.entries(h.checks).filter(([, v]) => v !== 'ok');
  if (h.status !== 'ok')
    return check('agent', 'warn', `${running}, degraded: ${notOk.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return check('agent', 'ok', running);
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const found = checkConfig(options.config, options.dataDir);
  checks.push(found.result);
  // With a broken file the other checks still run, on the defaults, so one run shows everything.
  const fallback = parseAgentConfig(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const config = found.config ?? (fallback.ok ? fallback.value : null);
  if (config === null) return report(checks);

  const token = options.token ?? config.control.token;
  const url = options.agentUrl ?? controlUrl(config.control.host, config.control.port);
  const probe = await probeAgent(url, token);
  checks.push(checkAgent(probe, options.version));

  checks.push(
    await checkPort(
      {
        id: 'port.stratum',
        role: "stratum (the farm's miners)",
        host: config.stratum.host,
        port: config.stratum.port,
        key: 'stratum.port (or --stratum-port)',
        hostKey: 'stratum.host',
      },
      probe,
      config.control.port,
    ),
  );
  checks.push(
    await checkPort(
      {
        id: 'port.control',
        role: 'control API',
        host: config.control.host,
        port: config.control.port,
        key: 'control.port (or --control-port)',
        hostKey: 'control.host',
      },
      probe,
      config.control.port,
    ),
  );

  const dir = checkDataDir(config.dataDir, options.serviceUser);
  checks.push(dir.result);
  let depth: number | null = null;
  let source = 'from the store file';
  if (dir.exists) {
    const store = checkStore(config.dataDir);
    checks.push(store.result);
    depth = store.depth;
  } else {
    // No directory, no store: nothing is buffered.
    depth = 0;
    source = 'no store yet';
  }
  if (probe.buffered !== null) {
    depth = probe.buffered;
    source = 'from the running agent';
  }
  checks.push(checkBuffer(depth, source, options.bufferWarn ?? DEFAULT_BUFFER_WARN, config.buffer.maxShares));

  checks.push(checkClock(options.clock ?? readClock()));
  checks.push(...(await checkUpstreams(config, options.timeoutMs ?? 3000)));
  if (options.systemd !== false) checks.push(checkSystemd());
  return report(checks);
}
