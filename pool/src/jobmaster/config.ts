// jobmaster's JSON config, validated once at start; each message names the offending key.
import { fail, ok, type Result } from '@farmhand/core';
import { addressToScript, type Network } from '@farmhand/core/bitcoin';
import { parseAuxChains, type AuxChainConfig } from './aux-chains.js';

export interface BitcoindNodeConfig {
  /** http://user:pass@host:port (credentials optional with cookieFile). */
  readonly url: string;
  readonly cookieFile?: string;
  readonly name?: string;
}

export interface JobmasterConfig {
  /** The first node serves templates (the next ones are fallbacks); found blocks go to all of them. */
  readonly bitcoind: readonly BitcoindNodeConfig[];
  readonly payoutAddress: string;
  /** Taken from the node's getblockchaininfo when absent. */
  readonly network?: Network;
  readonly coinbaseTag: string;
  readonly extranonceSize: number;
  readonly listen: { readonly host: string; readonly port: number };
  /** How often the tip is polled (getbestblockhash), ms: the fallback when long-poll is off or stuck. */
  readonly pollIntervalMs: number;
  readonly longPoll: boolean;
  /** How long a long-poll may be held before it is reissued, ms. */
  readonly longPollTimeoutMs: number;
  /** A fresh job (new curtime, new mempool) at least this often on an unchanged tip, ms. */
  readonly refreshMs: number;
  /** Timeout of ordinary RPC calls, ms. */
  readonly rpcTimeoutMs: number;
  /** How long an empty-block job may be mined before falling back to the node's template, ms. */
  readonly emptyBlockMs: number;
  /** Jobs kept for found blocks that arrive late. */
  readonly jobHistory: number;
  readonly logLevel: string;
  /** Merged-mining chains (docs/merged-mining.md). */
  readonly auxChains?: readonly AuxChainConfig[];
}

export const JOBMASTER_DEFAULTS = {
  coinbaseTag: '/farmhand/',
  extranonceSize: 12,
  pollIntervalMs: 1000,
  longPoll: true,
  longPollTimeoutMs: 120_000,
  refreshMs: 30_000,
  rpcTimeoutMs: 10_000,
  emptyBlockMs: 60_000,
  jobHistory: 64,
  logLevel: 'info',
} as const;

const KNOWN = new Set([
  'bitcoind',
  'payoutAddress',
  'network',
  'listen',
  'auxChains',
  ...Object.keys(JOBMASTER_DEFAULTS),
]);
const NETWORKS: Network[] = ['mainnet', 'testnet', 'signet', 'regtest'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseJobmasterConfig(v: unknown): Result<JobmasterConfig, 'CONFIG_INVALID'> {
  const bad = (msg: string) => fail('CONFIG_INVALID', msg);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KNOWN.has(k)) return bad(`config.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);

  const rawNodes = Array.isArray(o.bitcoind) ? o.bitcoind : o.bitcoind === undefined ? [] : [o.bitcoind];
  if (rawNodes.length === 0)
    return bad(
      'config.bitcoind: expected a node {"url":"http://user:pass@127.0.0.1:8332"} or a list of them',
    );
  const bitcoind: BitcoindNodeConfig[] = [];
  for (const [i, n] of rawNodes.entries()) {
    const node = typeof n === 'string' ? { url: n } : (n as Record<string, unknown>);
    const where = `config.bitcoind[${i}]`;
    if (typeof node !== 'object' || node === null || typeof node.url !== 'string')
      return bad(`${where}: expected {"url":"http://user:pass@host:port"} (optional "cookieFile", "name")`);
    let url: URL;
    try {
      url = new URL(node.url);
    } catch {
      return bad(`${where}.url: "${node.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return bad(`${where}.url: expected http:// or https://`);
    if (node.cookieFile !== undefined && typeof node.cookieFile !== 'string')
      return bad(`${where}.cookieFile: expected a file path`);
    if (!url.username && node.cookieFile === undefined)
      return bad(`${where}: give credentials in the url (http://user:pass@host:port) or a cookieFile`);
    if (node.name !== undefined && typeof node.name !== 'string')
      return bad(`${where}.name: expected a string`);
    bitcoind.push({
      url: node.url,
      ...(node.cookieFile !== undefined ? { cookieFile: node.cookieFile as string } : {}),
      ...(node.name !== undefined ? { name: node.name as string } : {}),
    });
  }

  if (o.network !== undefined && !NETWORKS.includes(o.network as Network))
    return bad(`config.network: expected one of ${NETWORKS.join(', ')} (or leave it out to ask the node)`);
  const network = o.network as Network | undefined;
  if (typeof o.payoutAddress !== 'string' || o.payoutAddress.length === 0)
    return bad('config.payoutAddress: expected the Bitcoin address that receives block rewards');
  if (network) {
    const a = addressToScript(o.payoutAddress, network);
    if (!a.ok) return bad(`config.payoutAddress: ${a.error.message}`);
  }

  const listen = o.listen as Record<string, unknown> | undefined;
  if (
    typeof listen !== 'object' ||
    listen === null ||
    typeof listen.host !== 'string' ||
    !isPort(listen.port)
  )
    return bad(
      'config.listen: expected {"host":"127.0.0.1","port":3335} for gateways (port 0 picks a free one)',
    );

  const d = JOBMASTER_DEFAULTS;
  const tag = o.coinbaseTag ?? d.coinbaseTag;
  if (typeof tag !== 'string' || new TextEncoder().encode(tag).length > 60)
    return bad('config.coinbaseTag: expected a string of at most 60 bytes');
  const int = (k: keyof typeof d, min: number, max = Number.MAX_SAFE_INTEGER): number | string => {
    const x = o[k] ?? d[k];
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max
      ? x
      : `config.${k}: expected an integer ${min}..${max}`;
  };
  const nums = {
    extranonceSize: int('extranonceSize', 4, 32),
    pollIntervalMs: int('pollIntervalMs', 50),
    longPollTimeoutMs: int('longPollTimeoutMs', 100),
    refreshMs: int('refreshMs', 1000),
    rpcTimeoutMs: int('rpcTimeoutMs', 50),
    emptyBlockMs: int('emptyBlockMs', 100),
    jobHistory: int('jobHistory', 2, 60_000),
  };
  for (const n of Object.values(nums)) if (typeof n === 'string') return bad(n);
  const longPoll = o.longPoll ?? d.longPoll;
  if (typeof longPoll !== 'boolean') return bad('config.longPoll: expected true or false');
  const logLevel = o.logLevel ?? d.logLevel;
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))
    return bad(`config.logLevel: expected one of ${LEVELS.join(', ')}`);

  const aux = o.auxChains === undefined ? null : parseAuxChains(o.auxChains);
  if (aux && !aux.ok) return aux;

  return ok({
    ...(aux ? { auxChains: aux.value } : {}),
    bitcoind,
    payoutAddress: o.payoutAddress,
    ...(network ? { network } : {}),
    coinbaseTag: tag,
    listen: { host: listen.host, port: listen.port as number },
    longPoll,
    logLevel,
    ...(nums as { [K in keyof typeof nums]: number }),
  });
}

function isPort(p: unknown): boolean {
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535;
}
