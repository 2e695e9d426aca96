// bitpeer: a light P2P node connected to many full nodes. It checks every header it is shown (proof of
// work against its nBits, nBits against its parent, extends a known header) and tells every jobmaster
// NEW_TIP the moment one becomes the best; it broadcasts blocks it is handed to all its peers.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { bytesToHex, hexToBytes, parseBlock, reversed, sha256d, type Block } from '@farmhand/core/bitcoin';
import {
  HeaderChain,
  InvType,
  answerGetBlockTxn,
  buildCompactBlock,
  type ChainTip,
  type P2pMessage,
} from '@farmhand/core/p2p';
import { randomBytes } from 'node:crypto';
import { readPeersFile, type BitpeerConfig, type HostPort } from './config.js';
import { PeerLink } from './peer-link.js';
import { JobmasterNotifier, type TipNotice } from './jobmaster-notifier.js';
import { BlockListener } from './block-listener.js';
import { tipFromNode } from './node-tip.js';

const MAX_HEADERS_PER_MSG = 2000;
/** Blocks we broadcast, kept to answer getdata/getblocktxn. */
const KEEP_BLOCKS = 8;

interface OwnBlock {
  hash: string;
  block: Block;
  raw: Uint8Array;
  nonce: bigint;
}

/** Events: 'tip' (TipNotice & {peer}), 'peer-ready' (name), 'peer-dropped' ({peer, reason}). */
export class Bitpeer extends EventEmitter {
  #chain: HeaderChain | null = null;
  readonly #config: BitpeerConfig;
  readonly #log: Logger;
  readonly #peers = new Map<string, PeerLink>();
  readonly #retry = new Map<string, NodeJS.Timeout>();
  readonly #wanted = new Map<string, HostPort>();
  readonly #notifier: JobmasterNotifier;
  readonly #blocks: OwnBlock[] = [];
  #listener: BlockListener | null = null;
  #running = false;

  constructor(config: BitpeerConfig, log: Logger) {
    super();
    this.#config = config;
    this.#log = log;
    if (config.tip) this.#chain = new HeaderChain(config.network, config.tip);
    this.#notifier = new JobmasterNotifier(config.jobmasters, 'bitpeer', config.reconnectMs, log);
  }

  /** The headers known; available once start() has a tip (from the config or the node). */
  get chain(): HeaderChain {
    if (!this.#chain) throw new Error('bitpeer has no start tip yet: call start() first');
    return this.#chain;
  }

  /** Throws when no start tip can be had (no `tip`, and the node does not answer). */
  async start(): Promise<{ port?: number }> {
    if (!this.#chain) {
      const tip = await tipFromNode(this.#config.bitcoind!, 3, this.#config.reconnectMs);
      if (!tip.ok) throw new Error(tip.error.message);
      this.#log.info(tip.value, 'start tip from the node');
      this.#chain = new HeaderChain(this.#config.network, tip.value);
    }
    this.#running = true;
    this.#notifier.start();
    let port: number | undefined;
    if (this.#config.listen) {
      this.#listener = new BlockListener(this.#log, (raw, from) => {
        this.#log.info({ from }, 'block handed over for broadcast');
        this.broadcastBlock(raw);
      });
      port = await this.#listener.listen(this.#config.listen.host, this.#config.listen.port);
    }
    this.reload();
    return port === undefined ? {} : { port };
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#retry.values()) clearTimeout(t);
    for (const p of this.#peers.values()) p.drop('shutting down');
    this.#notifier.stop();
    await this.#listener?.close();
  }

  /** Re-reads the peer list (config peers + peersFile): connects new ones, drops removed ones. */
  reload(): void {
    const list = [...this.#config.peers];
    if (this.#config.peersFile) {
      const f = readPeersFile(this.#config.peersFile);
      if (!f.ok) this.#log.error(`${f.error.message}; keeping the current peers`);
      else list.push(...f.value);
    }
    const want = new Map(list.map((a) => [`${a.host}:${a.port}`, a]));
    for (const [name] of this.#wanted)
      if (!want.has(name)) {
        this.#wanted.delete(name);
        clearTimeout(this.#retry.get(name));
        this.#retry.delete(name);
        this.#peers.get(name)?.drop('removed from the peer list');
      }
    for (const [name, addr] of want)
      if (!this.#wanted.has(name)) {
        this.#wanted.set(name, addr);
        this.#connect(addr);
      }
    this.#log.info({ peers: [...want.keys()] }, 'peer list loaded');
  }

  peers(): { name: string; ready: boolean; cmpct: boolean; userAgent?: string }[] {
    return [...this.#peers.values()].map((p) => ({
      name: p.name,
      ready: p.ready,
      cmpct: p.cmpct?.highBandwidth ?? false,
      ...(p.version ? { userAgent: p.version.userAgent } : {}),
    }));
  }

  get blockmastersConnected(): number {
    return this.#listener?.connections ?? 0;
  }

  get jobmastersConnected(): number {
    return this.#notifier.connected;
  }

  #connect(addr: HostPort): void {
    const name = `${addr.host}:${addr.port}`;
    if (!this.#running || !this.#wanted.has(name)) return;
    const peer = new PeerLink(
      addr,
      {
        network: this.#config.network,
        userAgent: this.#config.userAgent,
        startHeight: () => this.chain.best.height,
        pingIntervalMs: this.#config.pingIntervalMs,
        handshakeTimeoutMs: this.#config.handshakeTimeoutMs,
      },
      {
        ready: (p) => this.#onReady(p),
        message: (p, m) => this.#onMessage(p, m),
        closed: (p, reason) => {
          if (this.#peers.get(p.name) === p) this.#peers.delete(p.name);
          this.#log.info({ peer: p.name, reason }, 'peer closed');
          this.emit('peer-dropped', { peer: p.name, reason });
          if (this.#running && this.#wanted.has(p.name))
            this.#retry.set(
              p.name,
              setTimeout(() => this.#connect(addr), this.#config.reconnectMs),
            );
        },
      },
    );
    this.#peers.set(name, peer);
    peer.open();
  }

  #onReady(p: PeerLink): void {
    this.#log.info({ peer: p.name, ua: p.version?.userAgent, height: p.version?.startHeight }, 'peer ready');
    // Catch up from our best header: the peer answers with what follows it.
    this.#getHeaders(p);
    this.emit('peer-ready', p.name);
  }

  #getHeaders(p: PeerLink): void {
    p.send({
      type: 'getheaders',
      version: 70016,
      locator: [reversed(hexToBytes(this.chain.best.hash))],
      hashStop: new Uint8Array(32),
    });
  }

  #onMessage(p: PeerLink, m: P2pMessage): void {
    switch (m.type) {
      case 'headers':
        this.#onHeaders(p, m.headers);
        if (m.headers.length === MAX_HEADERS_PER_MSG) this.#getHeaders(p);
        return;
      case 'cmpctblock':
        // The header comes first in a compact block: that is all a new tip needs.
        this.#onHeaders(p, [m.header]);
        return;
      case 'block':
        this.#onHeaders(p, [m.block.headerBytes]);
        this.#listener?.sendUpdate(m.raw);
        return;
      case 'inv':
        if (m.items.some((i) => i.type === InvType.BLOCK || i.type === InvType.WITNESS_BLOCK))
          this.#getHeaders(p);
        return;
      case 'getheaders':
        return this.#serveHeaders(p, m.locator);
      case 'getdata':
        return this.#serveData(p, m.items);
      case 'getblocktxn': {
        const own = this.#blocks.find((b) => bytesToHex(reversed(m.blockHash)) === b.hash);
        if (!own) return;
        const answer = answerGetBlockTxn(own.block, m);
        if (!answer.ok) return p.drop(`getblocktxn: ${answer.error.message}`);
        p.send(answer.value);
        return;
      }
      default:
        return;
    }
  }

  #onHeaders(p: PeerLink, headers: Uint8Array[]): void {
    const now = Math.floor(Date.now() / 1000);
    let newBest: ChainTip | null = null;
    for (const raw of headers) {
      const r = this.chain.accept(raw, now);
      if (!r.ok) {
        if (r.error.code === 'HEADER_UNKNOWN_PARENT') {
          // Not proof of bad faith (we may be behind): ask for the gap, but only so many times.
          if (++p.unconnecting > this.#config.maxUnconnecting)
            return p.drop(`${p.unconnecting} header announcements that connect to nothing we know`);
          this.#getHeaders(p);
          return;
        }
        this.#log.warn({ peer: p.name, code: r.error.code }, r.error.message);
        return p.drop(`${r.error.code}: ${r.error.message}`);
      }
      if (r.value.isNewBest) newBest = r.value.tip;
    }
    p.unconnecting = 0;
    // During a catch-up (a full headers message) only the last of them matters, and it is not news yet.
    if (!newBest || headers.length >= MAX_HEADERS_PER_MSG) return;
    this.#announce(newBest, p.name);
    // Blockmasters relay new tips between regions: fetch the body from the peer that announced it.
    if (this.#listener?.connections)
      p.send({
        type: 'getdata',
        items: [{ type: InvType.WITNESS_BLOCK, hash: reversed(hexToBytes(newBest.hash)) }],
      });
  }

  #announce(tip: ChainTip, peer: string): void {
    const notice: TipNotice = {
      height: tip.height,
      prevhash: tip.hash,
      bits: tip.bits.toString(16).padStart(8, '0'),
      curtime: Math.max(Math.floor(Date.now() / 1000), tip.time + 1),
    };
    const sent = this.#notifier.notify(notice);
    this.#log.info({ ...notice, peer, jobmasters: sent }, 'new tip');
    this.emit('tip', { ...notice, peer });
  }

  /** Sends a block to every ready peer: cmpctblock to high-bandwidth compact peers, else its header (or inv). */
  broadcastBlock(raw: Uint8Array): { hash: string; peers: number } | null {
    let block: Block;
    try {
      block = parseBlock(raw);
    } catch (e) {
      this.#log.error(`a block to broadcast does not parse: ${(e as Error).message}`);
      return null;
    }
    const hashBytes = sha256d(block.headerBytes);
    const hash = bytesToHex(reversed(hashBytes));
    const own: OwnBlock = { hash, block, raw, nonce: randomBytes(8).readBigUInt64LE(0) };
    if (!this.#blocks.some((b) => b.hash === hash)) {
      this.#blocks.push(own);
      if (this.#blocks.length > KEEP_BLOCKS) this.#blocks.shift();
    }
    const prev = bytesToHex(reversed(block.header.prevHash));
    if (this.chain.has(prev)) this.chain.accept(block.headerBytes, Math.floor(Date.now() / 1000));
    const compact = { 1: buildCompactBlock(block, own.nonce, 1), 2: buildCompactBlock(block, own.nonce, 2) };
    let n = 0;
    let pushed = 0;
    for (const p of this.#peers.values()) {
      if (!p.ready) continue;
      n++;
      // Nodes accept an unrequested block that extends their best chain: no getdata round trip.
      if (p.cmpct?.highBandwidth) p.send(compact[p.cmpct.version]);
      else if (pushed++ < this.#config.pushFullBlocks) p.send({ type: 'block', raw, block });
      else if (p.wantsHeaders) p.send({ type: 'headers', headers: [block.headerBytes] });
      else p.send({ type: 'inv', items: [{ type: InvType.BLOCK, hash: hashBytes }] });
    }
    this.#log.info({ hash, peers: n }, 'block broadcast');
    return { hash, peers: n };
  }

  #serveHeaders(p: PeerLink, locator: Uint8Array[]): void {
    const known = new Set(locator.map((h) => bytesToHex(reversed(h))));
    const after = this.#blocks.filter((b) => known.has(bytesToHex(reversed(b.block.header.prevHash))));
    p.send({ type: 'headers', headers: after.map((b) => b.block.headerBytes) });
  }

  #serveData(p: PeerLink, items: { type: number; hash: Uint8Array }[]): void {
    const missing = [];
    for (const item of items) {
      const own = this.#blocks.find((b) => b.hash === bytesToHex(reversed(item.hash)));
      if (!own) {
        missing.push(item);
        continue;
      }
      if (item.type === InvType.CMPCT_BLOCK)
        p.send(buildCompactBlock(own.block, own.nonce, p.cmpct?.version ?? 2));
      else if (item.type === InvType.BLOCK || item.type === InvType.WITNESS_BLOCK)
        p.send({ type: 'block', raw: own.raw, block: own.block });
      else missing.push(item);
    }
    if (missing.length) p.send({ type: 'notfound', items: missing });
  }
}
