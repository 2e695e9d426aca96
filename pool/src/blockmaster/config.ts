// blockmaster's JSON config (docs/blockmaster.md), validated once at start; each message names the key.
import { fail, ok, type Result } from '@farmhand/core';
import { parseHostPort, type HostPort } from '../bitpeer/config.js';

export interface BlockmasterConfig {
  /** Jobmasters whose found blocks we relay (their gateway port; we subscribe with BLOCKS). */
  readonly jobmasters: readonly HostPort[];
  /** Bitpeers that broadcast our blocks on the P2P network. */
  readonly bitpeers: readonly HostPort[];
  /** Peer blockmasters (other regions) we push thin blocks to. */
  readonly peers: readonly HostPort[];
  /** Where peer blockmasters connect to us. */
  readonly listen: HostPort;
  /** The local node: its mempool for rebuilding thin blocks, and submitblock for relayed blocks. */
  readonly bitcoind?: string;
  readonly mempoolPollMs: number;
  readonly reconnectMs: number;
  /** How long to wait for missing transactions from the sender, ms. */
  readonly txRequestTimeoutMs: number;
  readonly logLevel: string;
}

const DEFAULTS = {
  mempoolPollMs: 10_000,
  reconnectMs: 5_000,
  txRequestTimeoutMs: 10_000,
  logLevel: 'info',
} as const;
const KNOWN = new Set(['jobmasters', 'bitpeers', 'peers', 'listen', 'bitcoind', ...Object.keys(DEFAULTS)]);
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseBlockmasterConfig(v: unknown): Result<BlockmasterConfig, 'CONFIG_INVALID'> {
  const bad = (msg: string) => fail('CONFIG_INVALID', msg);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KNOWN.has(k)) return bad(`config.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);
  const lists: Record<string, HostPort[]> = {};
  for (const key of ['jobmasters', 'bitpeers', 'peers']) {
    const x = o[key] ?? [];
    if (!Array.isArray(x)) return bad(`config.${key}: expected a list of "host:port"`);
    lists[key] = [];
    for (const [i, e] of x.entries()) {
      const hp = parseHostPort(e);
      if (!hp) return bad(`config.${key}[${i}]: expected "host:port"`);
      lists[key].push(hp);
    }
  }
  const listen = parseHostPort(o.listen, true);
  if (!listen) return bad('config.listen: expected {"host":"0.0.0.0","port":3341} for peer blockmasters');
  if (o.bitcoind !== undefined) {
    try {
      const u = new URL(String(o.bitcoind));
      if (!u.username) throw new Error('no credentials');
    } catch {
      return bad('config.bitcoind: expected "http://user:pass@host:port" of the local node');
    }
  }
  const int = (k: 'mempoolPollMs' | 'reconnectMs' | 'txRequestTimeoutMs', min: number): number | null => {
    const x = o[k] ?? DEFAULTS[k];
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min ? x : null;
  };
  const mempoolPollMs = int('mempoolPollMs', 100);
  const reconnectMs = int('reconnectMs', 50);
  const txRequestTimeoutMs = int('txRequestTimeoutMs', 100);
  if (mempoolPollMs === null || reconnectMs === null || txRequestTimeoutMs === null)
    return bad('config.mempoolPollMs/reconnectMs/txRequestTimeoutMs: expected integers (ms)');
  const logLevel = o.logLevel ?? DEFAULTS.logLevel;
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))
    return bad(`config.logLevel: expected one of ${LEVELS.join(', ')}`);
  return ok({
    jobmasters: lists.jobmasters!,
    bitpeers: lists.bitpeers!,
    peers: lists.peers!,
    listen,
    ...(o.bitcoind !== undefined ? { bitcoind: String(o.bitcoind) } : {}),
    mempoolPollMs,
    reconnectMs,
    txRequestTimeoutMs,
    logLevel,
  });
}
