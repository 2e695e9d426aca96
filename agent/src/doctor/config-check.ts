import { existsSync, readFileSync } from 'node:fs';
import { parseAgentConfig, type AgentConfig } from '../config/index.js';
import { check, type CheckResult } from './check-result.js';

// The config the appliance runs with: the file the unit passes, else the defaults. The agent's own
// schema checks it, so the doctor names the same keys (path-named) the agent would refuse.

export const INSTALLED_CONFIG = '/etc/farmhand/agent.json';
export const INSTALLED_DATA_DIR = '/var/lib/farmhand';

export interface ConfigFinding {
  readonly result: CheckResult;
  /** The parsed config, or null when it is unusable (the later checks then use defaults). */
  readonly config: AgentConfig | null;
  readonly path: string | null;
}

export function checkConfig(path: string | undefined, dataDir: string | undefined): ConfigFinding {
  const file = path ?? (existsSync(INSTALLED_CONFIG) ? INSTALLED_CONFIG : undefined);
  // The unit passes --data-dir /var/lib/farmhand with the installed file; do as it does.
  if (dataDir === undefined && file === INSTALLED_CONFIG) dataDir = INSTALLED_DATA_DIR;
  const withDir = (raw: Record<string, unknown>) => (dataDir === undefined ? raw : { ...raw, dataDir });
  if (file === undefined) {
    const r = parseAgentConfig(withDir({}));
    return {
      result: check(
        'config',
        'ok',
        `no config file (${INSTALLED_CONFIG} is absent): the agent's defaults apply`,
      ),
      config: r.ok ? r.value : null,
      path: null,
    };
  }
  const bad = (message: string, fix: string): ConfigFinding => ({
    result: check('config', 'fail', message, fix),
    config: null,
    path: file,
  });
  if (!existsSync(file))
    return bad(`${file} does not exist`, `create it, or pass --config with the file the agent uses`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EACCES')
      return bad(`cannot read ${file} (permission denied)`, 'run farmhand doctor with sudo');
    return bad(
      `${file} is not valid JSON: ${err.message}`,
      `correct the JSON syntax in ${file} (a missing comma or quote)`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return bad(`${file} must hold one JSON object`, `start from the default: { "upstreams": [] }`);
  const r = parseAgentConfig(withDir(raw as Record<string, unknown>), file);
  if (!r.ok)
    return bad(
      `${file} is not a valid agent config:\n${r.error.message.replace(/^/gm, '    ')}`,
      `correct the keys named above (every key is explained in /etc/farmhand/README), then: sudo systemctl restart farmhand-agent`,
    );
  return { result: check('config', 'ok', `${file} is valid`), config: r.value, path: file };
}
