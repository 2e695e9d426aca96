// blockmaster: relays found blocks at once — raw to our bitpeers, as BIP152-style thin blocks (header,
// coinbase, short ids) to peer blockmasters in other regions, which rebuild them from their own node's
// mempool and ask only for what is missing — and submits blocks it receives to its local node.
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  bytesToHex,
  hexToBytes,
  parseBlock,
  reversed,
  sha256d,
  txid,
  type Block,
} from '@farmhand/core/bitcoin';
import {
  answerGetBlockTxn,
  buildCompactBlock,
  completeReconstruction,
  decodePayload,
  encodePayload,
  serializeBlock,
  startReconstruction,
  type PartialBlock,
} from '@farmhand/core/p2p';
import type { Frame } from '@farmhand/core/uplink';
import { BitcoindClient } from '../bitcoind/index.js';
import { encodeJmMessage } from '../jobmaster/wire.js';
import { BlockLink } from './block-link.js';
import type { HostPort } from '../bitpeer/config.js';
import type { BlockmasterConfig } from './config.js';
import { Mempool } from './mempool.js';
import { BlockFrame } from './wire.js';

/** Blocks kept to answer GET_THIN_TXS and to ignore repeats. */
const KEEP_BLOCKS = 16;

export type BlockOrigin = 'jobmaster' | 'p2p' | 'peer';

export interface RelayedBlock {
  hash: string;
  origin: BlockOrigin;
  from: string;
  /** Transactions fetched from the sender (thin blocks only). */
  fetched: number;
  bytes: number;
}

interface Pending {
  partial: PartialBlock;
  from: BlockLink;
  timer: NodeJS.Timeout;
  /** Already asked for every transaction once (after a short-id collision). */
  retried: boolean;
}

/** Events: 'block' (RelayedBlock), 'submitted' ({hash, result}). */
export class Blockmaster extends EventEmitter {
  readonly mempool: Mempool;
  readonly #config: BlockmasterConfig;
  readonly #log: Logger;
  readonly #node: BitcoindClient | null;
  readonly #server: Server;
  readonly #inbound = new Set<BlockLink>();
  #jobmasters: BlockLink[] = [];
  #bitpeers: BlockLink[] = [];
  #peers: BlockLink[] = [];
  readonly #recent: { hash: string; block: Block }[] = [];
  readonly #pending = new Map<string, Pending>();
  #poll: NodeJS.Timeout | null = null;

  constructor(config: BlockmasterConfig, log: Logger) {
    super();
    this.#config = config;
    this.#log = log;
    this.mempool = new Mempool(log);
    this.#node = config.bitcoind ? new BitcoindClient({ url: config.bitcoind, name: 'local' }) : null;
    this.#server = createServer((s) => {
      const link = BlockLink.accepted(s, (l, f) => this.#onFrame(l, f));
      this.#inbound.add(link);
      s.on('close', () => this.#inbound.delete(link));
    });
  }

  async start(): Promise<{ port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#config.listen.port, this.#config.listen.host, () => resolve());
    });
    const on = (l: BlockLink, f: Frame) => this.#onFrame(l, f);
    const ms = this.#config.reconnectMs;
    // To a jobmaster we are a client of its gateway port asking for BLOCKS.
    this.#jobmasters = this.#config.jobmasters.map((a) =>
      BlockLink.outbound(a, ms, on, (l) => l.sendRaw(encodeJmMessage({ type: 'BLOCKS' }, 1))),
    );
    this.#bitpeers = this.#config.bitpeers.map((a) => BlockLink.outbound(a, ms, on));
    this.#peers = this.#config.peers.map((a) => BlockLink.outbound(a, ms, on));
    if (this.#node) {
      const node = this.#node;
      const tick = () => void this.mempool.refresh(node);
      tick();
      this.#poll = setInterval(tick, this.#config.mempoolPollMs);
    }
    return { port: (this.#server.address() as { port: number }).port };
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    for (const l of [...this.#jobmasters, ...this.#bitpeers, ...this.#peers, ...this.#inbound]) l.close();
    await new Promise<void>((r) => this.#server.close(() => r()));
    await this.#node?.close();
  }

  /**
   * Replaces the bitpeer and peer-blockmaster lists (a config reload): links to addresses still listed
   * are kept as they are, removed ones closed, new ones opened.
   */
  setLinks(lists: { bitpeers: readonly HostPort[]; peers: readonly HostPort[] }): void {
    const on = (l: BlockLink, f: Frame) => this.#onFrame(l, f);
    const diff = (current: BlockLink[], want: readonly HostPort[]): BlockLink[] => {
      const names = new Set(want.map((a) => `${a.host}:${a.port}`));
      for (const l of current) if (!names.has(l.name)) l.close();
      const kept = current.filter((l) => names.has(l.name));
      const have = new Set(kept.map((l) => l.name));
      const added = want
        .filter((a) => !have.has(`${a.host}:${a.port}`))
        .map((a) => BlockLink.outbound(a, this.#config.reconnectMs, on));
      return [...kept, ...added];
    };
    this.#bitpeers = diff(this.#bitpeers, lists.bitpeers);
    this.#peers = diff(this.#peers, lists.peers);
    this.#log.info(
      { bitpeers: this.#bitpeers.map((l) => l.name), peers: this.#peers.map((l) => l.name) },
      'relay targets reloaded',
    );
  }

  /** Links up: {jobmasters, bitpeers, peers} connected counts. */
  links(): { jobmasters: number; bitpeers: number; peers: number; inbound: number } {
    const up = (ls: BlockLink[]) => ls.filter((l) => l.connected).length;
    return {
      jobmasters: up(this.#jobmasters),
      bitpeers: up(this.#bitpeers),
      peers: up(this.#peers),
      inbound: this.#inbound.size,
    };
  }

  #onFrame(link: BlockLink, f: Frame): void {
    switch (f.type) {
      case BlockFrame.SUBMIT_BLOCK:
        return this.#relayRaw(f.body, link, this.#jobmasters.includes(link) ? 'jobmaster' : 'peer', 0);
      case BlockFrame.UPDATE_BLOCK:
        return this.#relayRaw(f.body, link, 'p2p', 0);
      case BlockFrame.THIN_BLOCK:
        return this.#onThinBlock(link, f.body);
      case BlockFrame.GET_THIN_TXS: {
        const m = decodePayload('getblocktxn', f.body);
        if (!m.ok || m.value.type !== 'getblocktxn')
          return this.#log.warn({ from: link.name }, 'bad GET_THIN_TXS');
        const hash = bytesToHex(reversed(m.value.blockHash));
        const own = this.#recent.find((b) => b.hash === hash);
        if (!own) return;
        const answer = answerGetBlockTxn(own.block, m.value);
        if (answer.ok) link.send(BlockFrame.THIN_TXS, encodePayload(answer.value));
        return;
      }
      case BlockFrame.THIN_TXS: {
        const m = decodePayload('blocktxn', f.body);
        if (!m.ok || m.value.type !== 'blocktxn') return this.#log.warn({ from: link.name }, 'bad THIN_TXS');
        const hash = bytesToHex(reversed(m.value.blockHash));
        const p = this.#pending.get(hash);
        if (!p) return;
        clearTimeout(p.timer);
        this.#pending.delete(hash);
        const full = completeReconstruction(p.partial, m.value.txs);
        if (!full.ok) {
          if (p.retried)
            return this.#log.error({ hash, from: link.name }, `${full.error.message}; block dropped`);
          return this.#requestAll(hash, p.partial, link);
        }
        this.#relay(full.value, hash, link, 'peer', m.value.txs.length);
        return;
      }
      default:
        return;
    }
  }

  #onThinBlock(link: BlockLink, body: Uint8Array): void {
    const m = decodePayload('cmpctblock', body);
    if (!m.ok || m.value.type !== 'cmpctblock') return this.#log.warn({ from: link.name }, 'bad THIN_BLOCK');
    const hashBytes = sha256d(m.value.header);
    const hash = bytesToHex(reversed(hashBytes));
    if (this.#seen(hash) || this.#pending.has(hash)) return;
    const partial = startReconstruction(m.value, this.mempool.entries());
    if (!partial.ok) return this.#log.warn({ hash, from: link.name }, partial.error.message);
    if (partial.value.missing.length === 0) {
      const full = completeReconstruction(partial.value, []);
      if (full.ok) return this.#relay(full.value, hash, link, 'peer', 0);
      // A short-id collision put a wrong mempool transaction in the block: ask for all of them.
      this.#log.warn({ hash, from: link.name }, `${full.error.message}; asking for every transaction`);
      return this.#requestAll(hash, partial.value, link);
    }
    this.#request(hash, partial.value, link, false);
  }

  #request(hash: string, partial: PartialBlock, link: BlockLink, retried: boolean): void {
    const timer = setTimeout(() => {
      this.#pending.delete(hash);
      this.#log.error({ hash, from: link.name }, 'missing transactions never came; block dropped');
    }, this.#config.txRequestTimeoutMs);
    this.#pending.set(hash, { partial, from: link, timer, retried });
    link.send(
      BlockFrame.GET_THIN_TXS,
      encodePayload({ type: 'getblocktxn', blockHash: reversed(hexToBytes(hash)), indexes: partial.missing }),
    );
  }

  /** Second try after a collision: keep only the coinbase (always prefilled by us) and fetch the rest. */
  #requestAll(hash: string, partial: PartialBlock, link: BlockLink): void {
    const slots = partial.slots.map((s, i) => (i === 0 ? s : null));
    const missing = slots.map((_, i) => i).filter((i) => i > 0);
    this.#request(hash, { header: partial.header, slots, missing }, link, true);
  }

  #relayRaw(raw: Uint8Array, from: BlockLink, origin: BlockOrigin, fetched: number): void {
    let block: Block;
    try {
      block = parseBlock(raw);
    } catch (e) {
      this.#log.error({ from: from.name }, `a block does not parse: ${(e as Error).message}`);
      return;
    }
    this.#relay(block, bytesToHex(reversed(sha256d(block.headerBytes))), from, origin, fetched, raw);
  }

  #seen(hash: string): boolean {
    return this.#recent.some((b) => b.hash === hash);
  }

  #relay(
    block: Block,
    hash: string,
    from: BlockLink,
    origin: BlockOrigin,
    fetched: number,
    raw?: Uint8Array,
  ): void {
    if (this.#seen(hash)) return;
    this.#recent.push({ hash, block });
    if (this.#recent.length > KEEP_BLOCKS) this.#recent.shift();
    const bytes = raw ?? serializeBlock(block);
    // Raw to the bitpeers (except one that showed it to us), thin to every peer blockmaster.
    for (const b of this.#bitpeers) if (b !== from) b.send(BlockFrame.SUBMIT_BLOCK, bytes);
    const thin = encodePayload(buildCompactBlock(block, randomBytes(8).readBigUInt64LE(0), 2));
    for (const p of this.#peers) if (p !== from) p.send(BlockFrame.THIN_BLOCK, thin);
    this.mempool.removeBlockTxs(block.transactions.map(txid));
    const info: RelayedBlock = { hash, origin, from: from.name, fetched, bytes: bytes.length };
    this.#log.info({ ...info, thinBytes: thin.length }, 'block relayed');
    this.emit('block', info);
    if (this.#node && origin !== 'jobmaster') void this.#submit(hash, bytes);
  }

  async #submit(hash: string, bytes: Uint8Array): Promise<void> {
    const r = await this.#node!.submitBlock(bytesToHex(bytes));
    const result = r.ok ? r.value : r.error.message;
    if (!r.ok || (r.value !== null && r.value !== 'duplicate'))
      this.#log.error({ hash, result }, 'local node refused the block');
    this.emit('submitted', { hash, result });
  }
}
