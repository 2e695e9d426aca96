// The flags of `farmhand-pool run` in small-pool mode, checked once into a plan; every message names
// the flag and says what to give instead.
import { fail, ok, type Result } from '@farmhand/core';
import { resolve } from 'node:path';

export interface SmallPoolFlags {
  readonly bitcoindUrl?: string;
  readonly bitcoindCookie?: string;
  readonly payoutAddress?: string;
  readonly stratumPort?: string;
  readonly uplinkPort?: string;
  readonly agentToken?: readonly string[];
  readonly coin?: string;
  readonly minDifficulty?: string;
  readonly dataDir?: string;
  readonly redis?: string;
  readonly listenHost?: string;
  readonly logLevel?: string;
}

export interface SmallPoolPlan {
  readonly bitcoind: { readonly url: string; readonly cookieFile?: string };
  readonly payoutAddress: string;
  /** Where miners (and agents) connect; 0.0.0.0 unless --listen-host says otherwise. */
  readonly listenHost: string;
  readonly stratumPort: number;
  /** Absent: no agent uplink (the gateway's uplink then listens on a loopback port nobody is told). */
  readonly uplinkPort?: number;
  readonly agents: readonly { readonly id: string; readonly token: string }[];
  readonly coin: string;
  /** Fractional for regtest and CPU miners; also the start and agent difficulty when given. */
  readonly minDifficulty?: number;
  readonly dataDir: string;
  readonly redisUrl?: string;
  readonly logLevel: string;
}

export const DEFAULT_BITCOIND_URL = 'http://127.0.0.1:8332';
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** True when any small-pool flag is present (otherwise `run` is the plain --roles supervisor). */
export function wantsSmallPool(f: SmallPoolFlags): boolean {
  return (
    f.bitcoindUrl !== undefined ||
    f.bitcoindCookie !== undefined ||
    f.payoutAddress !== undefined ||
    f.stratumPort !== undefined ||
    f.uplinkPort !== undefined ||
    (f.agentToken ?? []).length > 0 ||
    f.minDifficulty !== undefined ||
    f.dataDir !== undefined ||
    f.redis !== undefined
  );
}

export function parseSmallPoolFlags(f: SmallPoolFlags): Result<SmallPoolPlan, 'FLAG_INVALID'> {
  const bad = (m: string) => fail('FLAG_INVALID', m);
  const url = f.bitcoindUrl ?? DEFAULT_BITCOIND_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad(`--bitcoind-url "${url}" is not a URL; expected http://user:pass@host:port`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return bad(`--bitcoind-url "${url}": expected http:// or https://`);
  if (!parsed.username && f.bitcoindCookie === undefined)
    return bad(
      '--bitcoind-url has no credentials: give http://user:pass@host:port, or --bitcoind-cookie FILE ' +
        "(the node's .cookie, e.g. ~/.bitcoin/regtest/.cookie)",
    );
  if (f.payoutAddress === undefined || f.payoutAddress === '')
    return bad('--payout-address is required: the Bitcoin address that receives block rewards');

  const stratumPort = port(f.stratumPort ?? '3333', '--stratum-port', false);
  if (typeof stratumPort === 'string') return bad(stratumPort);
  let uplinkPort: number | undefined;
  if (f.uplinkPort !== undefined) {
    const p = port(f.uplinkPort, '--uplink-port', false);
    if (typeof p === 'string') return bad(p);
    if (p === stratumPort) return bad(`--uplink-port ${p} is also the --stratum-port; give two ports`);
    uplinkPort = p;
  }
  const agents: { id: string; token: string }[] = [];
  for (const t of f.agentToken ?? []) {
    const i = t.indexOf(':');
    const id = t.slice(0, Math.max(i, 0));
    const token = t.slice(i + 1);
    if (i <= 0 || !/^[A-Za-z0-9._-]{1,64}$/.test(id))
      return bad(`--agent-token "${t}": expected ID:TOKEN with ID of 1..64 of [A-Za-z0-9._-]`);
    if (token.length < 8) return bad(`--agent-token for "${id}": the token needs at least 8 characters`);
    if (agents.some((a) => a.id === id)) return bad(`--agent-token: agent "${id}" is given twice`);
    agents.push({ id, token });
  }
  if (agents.length > 0 && uplinkPort === undefined)
    return bad('--agent-token needs --uplink-port: the port agents connect to');
  if (uplinkPort !== undefined && agents.length === 0)
    return bad('--uplink-port needs at least one --agent-token ID:TOKEN (agents must log in)');

  const coin = f.coin ?? 'btc';
  if (coin !== 'btc') return bad(`--coin ${coin}: only "btc" is supported`);
  let minDifficulty: number | undefined;
  if (f.minDifficulty !== undefined) {
    const d = Number(f.minDifficulty);
    if (!Number.isFinite(d) || d <= 0)
      return bad(`--min-difficulty ${f.minDifficulty}: expected a positive number (1e-6 or 0.001 is fine)`);
    minDifficulty = d;
  }
  if (f.redis !== undefined && !/^rediss?:\/\/[^\s]+$/.test(f.redis))
    return bad(`--redis ${f.redis}: expected a redis://host:port URL`);
  const logLevel = f.logLevel ?? 'info';
  if (!LEVELS.includes(logLevel)) return bad(`--log-level ${logLevel}: expected one of ${LEVELS.join(', ')}`);

  return ok({
    bitcoind: { url, ...(f.bitcoindCookie !== undefined ? { cookieFile: resolve(f.bitcoindCookie) } : {}) },
    payoutAddress: f.payoutAddress,
    listenHost: f.listenHost ?? '0.0.0.0',
    stratumPort,
    ...(uplinkPort !== undefined ? { uplinkPort } : {}),
    agents,
    coin,
    ...(minDifficulty !== undefined ? { minDifficulty } : {}),
    dataDir: resolve(f.dataDir ?? 'farmhand-pool-data'),
    ...(f.redis !== undefined ? { redisUrl: f.redis } : {}),
    logLevel,
  });
}

function port(text: string, flag: string, zero: boolean): number | string {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (zero ? 0 : 1) || n > 65535)
    return `${flag} ${text}: expected a port 1..65535`;
  return n;
}
