// poolbench's JSON config (docs/poolbench.md), validated once at start; each message names the key.
import { fail, ok, type Result } from '@farmhand/core';
import { parseHostPort, type HostPort } from '../bitpeer/config.js';

export interface WatchedPool {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly pass: string;
  /** One report from a trusted pool is enough to act on. */
  readonly trusted: boolean;
}

export interface PoolbenchConfig {
  readonly pools: readonly WatchedPool[];
  readonly jobmasters: readonly HostPort[];
  /** Independent untrusted pools that must report the same new tip before it is acted on. */
  readonly quorum: number;
  readonly reconnectMs: number;
  /** A pool silent this long is reconnected (the seed: 600 s). */
  readonly idleMs: number;
  /** Other pools on a tip our jobmaster lacks for this long → a FATAL log (the seed's max_delay). */
  readonly maxDelayMs: number;
  readonly logLevel: string;
}

const DEFAULTS = {
  quorum: 2,
  reconnectMs: 5_000,
  idleMs: 600_000,
  maxDelayMs: 5_000,
  logLevel: 'info',
} as const;
const KNOWN = new Set(['pools', 'jobmasters', ...Object.keys(DEFAULTS)]);
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parsePoolbenchConfig(v: unknown): Result<PoolbenchConfig, 'CONFIG_INVALID'> {
  const bad = (msg: string) => fail('CONFIG_INVALID', msg);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KNOWN.has(k)) return bad(`config.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);
  if (!Array.isArray(o.pools) || o.pools.length === 0)
    return bad('config.pools: expected a list of {"name","host","port","user","pass","trusted"}');
  const pools: WatchedPool[] = [];
  const names = new Set<string>();
  for (const [i, p] of o.pools.entries()) {
    const where = `config.pools[${i}]`;
    const e = p as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) return bad(`${where}: expected an object`);
    if (typeof e.name !== 'string' || e.name === '') return bad(`${where}.name: expected a name`);
    if (names.has(e.name)) return bad(`${where}.name: "${e.name}" is used twice`);
    names.add(e.name);
    const hp = parseHostPort({ host: e.host, port: e.port });
    if (!hp) return bad(`${where}: expected "host" and "port"`);
    if (typeof e.user !== 'string') return bad(`${where}.user: expected the stratum user`);
    if (e.pass !== undefined && typeof e.pass !== 'string') return bad(`${where}.pass: expected a string`);
    if (e.trusted !== undefined && typeof e.trusted !== 'boolean')
      return bad(`${where}.trusted: expected true or false`);
    pools.push({
      name: e.name,
      ...hp,
      user: e.user,
      pass: (e.pass as string | undefined) ?? 'x',
      trusted: e.trusted === true,
    });
  }
  if (!Array.isArray(o.jobmasters) || o.jobmasters.length === 0)
    return bad('config.jobmasters: expected a list of "host:port"');
  const jobmasters: HostPort[] = [];
  for (const [i, j] of o.jobmasters.entries()) {
    const hp = parseHostPort(j);
    if (!hp) return bad(`config.jobmasters[${i}]: expected "host:port"`);
    jobmasters.push(hp);
  }
  const int = (k: 'quorum' | 'reconnectMs' | 'idleMs' | 'maxDelayMs', min: number): number | null => {
    const x = o[k] ?? DEFAULTS[k];
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min ? x : null;
  };
  const quorum = int('quorum', 1);
  const reconnectMs = int('reconnectMs', 50);
  const idleMs = int('idleMs', 1000);
  const maxDelayMs = int('maxDelayMs', 10);
  if (maxDelayMs === null) return bad('config.maxDelayMs: expected an integer ≥ 10 (ms)');
  if (quorum === null) return bad('config.quorum: expected an integer ≥ 1');
  if (reconnectMs === null) return bad('config.reconnectMs: expected an integer ≥ 50');
  if (idleMs === null) return bad('config.idleMs: expected an integer ≥ 1000');
  const logLevel = o.logLevel ?? DEFAULTS.logLevel;
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))
    return bad(`config.logLevel: expected one of ${LEVELS.join(', ')}`);
  return ok({ pools, jobmasters, quorum, reconnectMs, idleMs, maxDelayMs, logLevel });
}
