// bitpeer's JSON config (docs/bitpeer.md), validated once at start; each message names the key.
import { readFileSync } from 'node:fs';
import { fail, ok, type Result } from '@farmhand/core';
import { isHex, type Network } from '@farmhand/core/bitcoin';
import type { ChainTip } from '@farmhand/core/p2p';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface BitpeerConfig {
  readonly network: Network;
  /** Nodes to connect to; with peersFile, the file's list is added (and reloaded on SIGHUP). */
  readonly peers: readonly HostPort[];
  readonly peersFile?: string;
  /** The header the chain starts from (a recent block the operator trusts); later ones are synced from peers. */
  readonly tip?: ChainTip;
  /** Without `tip`: a node whose best block becomes the start (getbestblockhash + getblockheader). */
  readonly bitcoind?: string;
  /** Jobmasters told NEW_TIP (their gateway port). */
  readonly jobmasters: readonly HostPort[];
  /** Where blockmasters connect to hand over blocks to broadcast; absent = no listener. */
  readonly listen?: HostPort;
  readonly reconnectMs: number;
  readonly pingIntervalMs: number;
  readonly handshakeTimeoutMs: number;
  /** Header announcements that do not connect to anything known before a peer is dropped. */
  readonly maxUnconnecting: number;
  /** Peers (without high-bandwidth compact blocks) sent our whole block at once instead of its header. */
  readonly pushFullBlocks: number;
  readonly userAgent: string;
  readonly logLevel: string;
}

export const BITPEER_DEFAULTS = {
  reconnectMs: 5_000,
  pingIntervalMs: 60_000,
  handshakeTimeoutMs: 10_000,
  maxUnconnecting: 8,
  pushFullBlocks: 0,
  userAgent: '/farmhand-bitpeer:0.1.0/',
  logLevel: 'info',
} as const;

const KNOWN = new Set([
  'network',
  'peers',
  'peersFile',
  'tip',
  'bitcoind',
  'jobmasters',
  'listen',
  ...Object.keys(BITPEER_DEFAULTS),
]);
const NETWORKS: Network[] = ['mainnet', 'testnet', 'signet', 'regtest'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** "host:port" (IPv6 as [addr]:port) or {host, port}. */
export function parseHostPort(v: unknown, allowZero = false): HostPort | null {
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const portOk = isPort(o.port) || (allowZero && o.port === 0);
    return typeof o.host === 'string' && portOk ? { host: o.host, port: o.port as number } : null;
  }
  if (typeof v !== 'string') return null;
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(v);
  if (!m) return null;
  const port = Number(m[2]);
  return isPort(port) ? { host: m[1]!, port } : null;
}

/** Reads a peers file: {"peers":["host:port", ...]}. */
export function readPeersFile(path: string): Result<HostPort[], 'CONFIG_INVALID'> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail('CONFIG_INVALID', `peers file ${path}: ${(e as Error).message}`);
  }
  const list = (raw as { peers?: unknown })?.peers;
  if (!Array.isArray(list))
    return fail('CONFIG_INVALID', `peers file ${path}: expected {"peers":["host:port",…]}`);
  const out: HostPort[] = [];
  for (const [i, p] of list.entries()) {
    const hp = parseHostPort(p);
    if (!hp) return fail('CONFIG_INVALID', `peers file ${path}: peers[${i}]: expected "host:port"`);
    out.push(hp);
  }
  return ok(out);
}

export function parseBitpeerConfig(v: unknown): Result<BitpeerConfig, 'CONFIG_INVALID'> {
  const bad = (msg: string) => fail('CONFIG_INVALID', msg);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('config: expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KNOWN.has(k)) return bad(`config.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);
  if (!NETWORKS.includes(o.network as Network))
    return bad(`config.network: expected one of ${NETWORKS.join(', ')} (it picks the P2P magic)`);
  const list = (key: string, required: boolean): HostPort[] | string => {
    const x = o[key];
    if (x === undefined) return required ? `config.${key}: expected a list of "host:port"` : [];
    if (!Array.isArray(x)) return `config.${key}: expected a list of "host:port"`;
    const out: HostPort[] = [];
    for (const [i, e] of x.entries()) {
      const hp = parseHostPort(e);
      if (!hp) return `config.${key}[${i}]: expected "host:port"`;
      out.push(hp);
    }
    return out;
  };
  const peers = list('peers', false);
  if (typeof peers === 'string') return bad(peers);
  if (o.peersFile !== undefined && typeof o.peersFile !== 'string')
    return bad('config.peersFile: expected a path to {"peers":["host:port",…]}');
  if (peers.length === 0 && o.peersFile === undefined)
    return bad('config.peers: give at least one node "host:port", or a peersFile');
  const jobmasters = list('jobmasters', true);
  if (typeof jobmasters === 'string') return bad(jobmasters);
  let listen: HostPort | undefined;
  if (o.listen !== undefined) {
    const hp = parseHostPort(o.listen, true);
    if (!hp) return bad('config.listen: expected {"host":"127.0.0.1","port":3340} for blockmasters');
    listen = hp;
  }
  let tip: ChainTip | undefined;
  const t = o.tip as Record<string, unknown> | undefined;
  if (t !== undefined) {
    if (
      typeof t !== 'object' ||
      t === null ||
      !isHex(t.hash, 32) ||
      !Number.isSafeInteger(t.height) ||
      (t.height as number) < 0 ||
      typeof t.bits !== 'string' ||
      !/^[0-9a-f]{8}$/i.test(t.bits)
    )
      return bad(
        'config.tip: expected {"hash":"<64 hex>","height":N,"bits":"<8 hex>","time":T} of a block you trust (getblockheader)',
      );
    tip = {
      hash: (t.hash as string).toLowerCase(),
      height: t.height as number,
      bits: Number.parseInt(t.bits, 16) >>> 0,
      time: typeof t.time === 'number' ? t.time : 0,
    };
  }
  if (o.bitcoind !== undefined) {
    try {
      if (!new URL(String(o.bitcoind)).username) throw new Error();
    } catch {
      return bad(
        'config.bitcoind: expected "http://user:pass@host:port" of a node to take the start tip from',
      );
    }
  }
  if (!tip && o.bitcoind === undefined)
    return bad(
      'config.tip: give the block to start from {"hash","height","bits","time"} (getblockheader), or "bitcoind" to ask a node',
    );
  const d = BITPEER_DEFAULTS;
  const int = (
    k: 'reconnectMs' | 'pingIntervalMs' | 'handshakeTimeoutMs' | 'maxUnconnecting' | 'pushFullBlocks',
    min: number,
  ) => {
    const x = o[k] ?? d[k];
    return typeof x === 'number' && Number.isSafeInteger(x) && x >= min ? x : null;
  };
  const nums = {
    reconnectMs: int('reconnectMs', 50),
    pingIntervalMs: int('pingIntervalMs', 100),
    handshakeTimeoutMs: int('handshakeTimeoutMs', 100),
    maxUnconnecting: int('maxUnconnecting', 1),
    pushFullBlocks: int('pushFullBlocks', 0),
  };
  for (const [k, n] of Object.entries(nums)) if (n === null) return bad(`config.${k}: expected an integer`);
  const userAgent = o.userAgent ?? d.userAgent;
  if (typeof userAgent !== 'string' || userAgent.length > 256)
    return bad('config.userAgent: expected a short string');
  const logLevel = o.logLevel ?? d.logLevel;
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))
    return bad(`config.logLevel: expected one of ${LEVELS.join(', ')}`);
  return ok({
    network: o.network as Network,
    peers,
    ...(o.peersFile !== undefined ? { peersFile: o.peersFile as string } : {}),
    ...(tip ? { tip } : {}),
    ...(o.bitcoind !== undefined ? { bitcoind: String(o.bitcoind) } : {}),
    jobmasters,
    ...(listen ? { listen } : {}),
    ...(nums as { [K in keyof typeof nums]: number }),
    userAgent,
    logLevel,
  });
}

function isPort(p: unknown): boolean {
  return typeof p === 'number' && Number.isInteger(p) && p > 0 && p <= 65535;
}
