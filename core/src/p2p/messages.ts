// Payloads of the P2P messages bitpeer speaks, one type per message; parsed once, here.
// Layouts: docs/bitpeer.md. Hashes are in internal byte order throughout.
import { fail, ok, type Result } from '../result.js';
import { ByteReader, concatBytes, u32le, u64le, varint } from '../bitcoin/bytes.js';
import { parseBlock, type Block } from '../bitcoin/block.js';
import { readTx, serializeTx, type Transaction } from '../bitcoin/tx.js';

export const PROTOCOL_VERSION = 70016;
export const NODE_NETWORK = 1n;
export const NODE_WITNESS = 1n << 3n;

export const InvType = {
  TX: 1,
  BLOCK: 2,
  FILTERED_BLOCK: 3,
  CMPCT_BLOCK: 4,
  WITNESS_TX: 0x40000001,
  WITNESS_BLOCK: 0x40000002,
} as const;

export interface NetAddress {
  services: bigint;
  /** 16 bytes, IPv4 as ::ffff:a.b.c.d. */
  ip: Uint8Array;
  port: number;
}

export interface VersionMessage {
  type: 'version';
  version: number;
  services: bigint;
  timestamp: bigint;
  addrRecv: NetAddress;
  addrFrom: NetAddress;
  nonce: bigint;
  userAgent: string;
  startHeight: number;
  relay: boolean;
}
export interface EmptyMessage {
  type: 'verack' | 'sendheaders' | 'getaddr' | 'wtxidrelay' | 'sendaddrv2';
}
export interface PingMessage {
  type: 'ping' | 'pong';
  nonce: bigint;
}
export interface InvVector {
  type: number;
  hash: Uint8Array;
}
export interface InvMessage {
  type: 'inv' | 'getdata' | 'notfound';
  items: InvVector[];
}
export interface GetHeadersMessage {
  type: 'getheaders';
  version: number;
  locator: Uint8Array[];
  hashStop: Uint8Array;
}
export interface HeadersMessage {
  type: 'headers';
  /** Raw 80-byte headers (the per-header tx count, always 0, is dropped). */
  headers: Uint8Array[];
}
export interface BlockMessage {
  type: 'block';
  raw: Uint8Array;
  block: Block;
}
export interface SendCmpctMessage {
  type: 'sendcmpct';
  highBandwidth: boolean;
  version: bigint;
}
export interface PrefilledTx {
  /** Absolute index in the block (differential on the wire). */
  index: number;
  tx: Transaction;
}
export interface CmpctBlockMessage {
  type: 'cmpctblock';
  header: Uint8Array;
  nonce: bigint;
  /** 6-byte short ids as numbers (48 bits fit a double exactly). */
  shortIds: number[];
  prefilled: PrefilledTx[];
}
export interface GetBlockTxnMessage {
  type: 'getblocktxn';
  blockHash: Uint8Array;
  /** Absolute indexes, ascending (differential on the wire). */
  indexes: number[];
}
export interface BlockTxnMessage {
  type: 'blocktxn';
  blockHash: Uint8Array;
  txs: Transaction[];
}
/** Any command bitpeer does not act on (addr, feefilter, tx, ...): kept by name, payload unread. */
export interface OtherMessage {
  type: 'other';
  command: string;
}

export type P2pMessage =
  | VersionMessage
  | EmptyMessage
  | PingMessage
  | InvMessage
  | GetHeadersMessage
  | HeadersMessage
  | BlockMessage
  | SendCmpctMessage
  | CmpctBlockMessage
  | GetBlockTxnMessage
  | BlockTxnMessage;

const EMPTY = new Set(['verack', 'sendheaders', 'getaddr', 'wtxidrelay', 'sendaddrv2']);
/** A peer announcing more than this in one message is misbehaving (Core's own limits). */
const MAX_INV = 50_000;
const MAX_HEADERS = 2_000;
const MAX_LOCATOR = 101;

function netAddress(a: NetAddress): Uint8Array {
  const port = Uint8Array.of(a.port >>> 8, a.port & 0xff); // big-endian, unlike everything else
  return concatBytes(u64le(a.services), a.ip, port);
}

function readNetAddress(r: ByteReader): NetAddress {
  const services = r.u64();
  const ip = copy(r.take(16));
  const p = r.take(2);
  return { services, ip, port: (p[0]! << 8) | p[1]! };
}

/** An IPv4 address as the 16-byte IPv4-mapped form P2P uses. */
export function ipv4Mapped(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  const parts = ip.split('.').map(Number);
  if (parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n < 256)) out.set(parts, 12);
  return out;
}

function i32le(n: number): Uint8Array {
  return u32le(n | 0);
}

function varstr(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  return concatBytes(varint(b.length), b);
}

function invList(items: InvVector[]): Uint8Array {
  return concatBytes(varint(items.length), ...items.flatMap((i) => [u32le(i.type), i.hash]));
}

/** The payload bytes of a message. */
export function encodePayload(m: P2pMessage): Uint8Array {
  switch (m.type) {
    case 'version':
      return concatBytes(
        i32le(m.version),
        u64le(m.services),
        u64le(m.timestamp),
        netAddress(m.addrRecv),
        netAddress(m.addrFrom),
        u64le(m.nonce),
        varstr(m.userAgent),
        i32le(m.startHeight),
        Uint8Array.of(m.relay ? 1 : 0),
      );
    case 'verack':
    case 'sendheaders':
    case 'getaddr':
    case 'wtxidrelay':
    case 'sendaddrv2':
      return new Uint8Array(0);
    case 'ping':
    case 'pong':
      return u64le(m.nonce);
    case 'inv':
    case 'getdata':
    case 'notfound':
      return invList(m.items);
    case 'getheaders':
      return concatBytes(u32le(m.version), varint(m.locator.length), ...m.locator, m.hashStop);
    case 'headers':
      return concatBytes(varint(m.headers.length), ...m.headers.flatMap((h) => [h, Uint8Array.of(0)]));
    case 'block':
      return m.raw;
    case 'sendcmpct':
      return concatBytes(Uint8Array.of(m.highBandwidth ? 1 : 0), u64le(m.version));
    case 'cmpctblock': {
      const ids = new Uint8Array(6 * m.shortIds.length);
      m.shortIds.forEach((id, i) => {
        let v = id;
        for (let b = 0; b < 6; b++) {
          ids[6 * i + b] = v % 256;
          v = Math.floor(v / 256);
        }
      });
      let prev = -1;
      const pre = m.prefilled.flatMap((p) => {
        const diff = p.index - prev - 1;
        prev = p.index;
        return [varint(diff), serializeTx(p.tx)];
      });
      return concatBytes(
        m.header,
        u64le(m.nonce),
        varint(m.shortIds.length),
        ids,
        varint(m.prefilled.length),
        ...pre,
      );
    }
    case 'getblocktxn': {
      let prev = -1;
      const diffs = m.indexes.map((i) => {
        const d = i - prev - 1;
        prev = i;
        return varint(d);
      });
      return concatBytes(m.blockHash, varint(m.indexes.length), ...diffs);
    }
    case 'blocktxn':
      return concatBytes(m.blockHash, varint(m.txs.length), ...m.txs.map((t) => serializeTx(t)));
  }
}

/** The command name a message travels under. */
export function commandOf(m: P2pMessage): string {
  return m.type;
}

/** Parses a payload by its command. Unknown commands are 'other'; a malformed payload is P2P_BAD_PAYLOAD. */
export function decodePayload(
  command: string,
  payload: Uint8Array,
): Result<P2pMessage | OtherMessage, 'P2P_BAD_PAYLOAD'> {
  try {
    const m = read(command, payload);
    return ok(m);
  } catch (e) {
    return fail('P2P_BAD_PAYLOAD', `${command}: ${(e as Error).message}`);
  }
}

function read(command: string, payload: Uint8Array): P2pMessage | OtherMessage {
  const r = new ByteReader(payload);
  const done = <T>(m: T): T => {
    if (r.remaining !== 0) throw new RangeError(`${r.remaining} bytes left over`);
    return m;
  };
  const count = (max: number, what: string): number => {
    const n = r.varint();
    if (n > max) throw new RangeError(`${n} ${what} (at most ${max})`);
    return n;
  };
  if (EMPTY.has(command)) return done({ type: command as EmptyMessage['type'] });
  switch (command) {
    case 'version': {
      const version = r.u32() | 0;
      const services = r.u64();
      const timestamp = r.u64();
      const addrRecv = readNetAddress(r);
      const addrFrom = readNetAddress(r);
      const nonce = r.u64();
      const uaLen = count(256, 'user agent bytes');
      const userAgent = new TextDecoder().decode(r.take(uaLen));
      const startHeight = r.u32() | 0;
      // relay is absent before protocol 70001.
      const relay = r.remaining > 0 ? r.u8() !== 0 : true;
      return {
        type: 'version',
        version,
        services,
        timestamp,
        addrRecv,
        addrFrom,
        nonce,
        userAgent,
        startHeight,
        relay,
      };
    }
    case 'ping':
    case 'pong':
      return done({ type: command, nonce: r.u64() });
    case 'inv':
    case 'getdata':
    case 'notfound': {
      const n = count(MAX_INV, 'inventory items');
      const items: InvVector[] = [];
      for (let i = 0; i < n; i++) items.push({ type: r.u32(), hash: copy(r.take(32)) });
      return done({ type: command, items });
    }
    case 'getheaders': {
      const version = r.u32();
      const n = count(MAX_LOCATOR, 'locator hashes');
      const locator: Uint8Array[] = [];
      for (let i = 0; i < n; i++) locator.push(copy(r.take(32)));
      return done({ type: 'getheaders', version, locator, hashStop: copy(r.take(32)) });
    }
    case 'headers': {
      const n = count(MAX_HEADERS, 'headers');
      const headers: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        headers.push(copy(r.take(80)));
        if (r.varint() !== 0) throw new RangeError('a headers entry carries transactions');
      }
      return done({ type: 'headers', headers });
    }
    case 'block':
      return { type: 'block', raw: payload, block: parseBlock(payload) };
    case 'sendcmpct': {
      const flag = r.u8();
      if (flag > 1) throw new RangeError(`announce flag ${flag} is not 0 or 1`);
      return done({ type: 'sendcmpct', highBandwidth: flag === 1, version: r.u64() });
    }
    case 'cmpctblock': {
      const header = copy(r.take(80));
      const nonce = r.u64();
      const n = count(payload.length, 'short ids');
      const shortIds: number[] = [];
      for (let i = 0; i < n; i++) {
        const b = r.take(6);
        let v = 0;
        for (let k = 5; k >= 0; k--) v = v * 256 + b[k]!;
        shortIds.push(v);
      }
      const p = count(payload.length, 'prefilled transactions');
      const prefilled: PrefilledTx[] = [];
      let prev = -1;
      for (let i = 0; i < p; i++) {
        const index = prev + 1 + r.varint();
        if (index > 0xffff) throw new RangeError(`prefilled index ${index} out of range`);
        prev = index;
        prefilled.push({ index, tx: readTx(r) });
      }
      return done({ type: 'cmpctblock', header, nonce, shortIds, prefilled });
    }
    case 'getblocktxn': {
      const blockHash = copy(r.take(32));
      const n = count(payload.length, 'indexes');
      const indexes: number[] = [];
      let prev = -1;
      for (let i = 0; i < n; i++) {
        prev = prev + 1 + r.varint();
        if (prev > 0xffff) throw new RangeError(`index ${prev} out of range`);
        indexes.push(prev);
      }
      return done({ type: 'getblocktxn', blockHash, indexes });
    }
    case 'blocktxn': {
      const blockHash = copy(r.take(32));
      const n = count(payload.length, 'transactions');
      const txs: Transaction[] = [];
      for (let i = 0; i < n; i++) txs.push(readTx(r));
      return done({ type: 'blocktxn', blockHash, txs });
    }
    default:
      return { type: 'other', command };
  }
}

/** A plain copy: Buffer#slice would return a view into the socket's memory. */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
