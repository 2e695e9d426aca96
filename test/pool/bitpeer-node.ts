// An in-test Bitcoin node, just enough of the P2P protocol (BIP14 handshake, BIP130 sendheaders,
// BIP152 compact blocks) to stand in for a full node that bitpeer connects to.
import { createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { hexToBytes } from '@farmhand/core/bitcoin';
import { Bitpeer, parseBitpeerConfig, type BitpeerConfig } from '../../pool/src/bitpeer/index.js';
import { readFixture, readFixtureJson } from '../support/fixtures.js';
import type { Network } from '@farmhand/core/bitcoin';
import {
  EnvelopeDecoder,
  NETWORK_MAGIC,
  decodePayload,
  encodeEnvelope,
  encodePayload,
  ipv4Mapped,
  type P2pMessage,
} from '@farmhand/core/p2p';
import { FrameDecoder } from '@farmhand/core/uplink';
import { decodeJmMessage, type NewTipMessage } from '../../pool/src/jobmaster/wire.js';

export class TestNode {
  readonly received: P2pMessage[] = [];
  #server: Server;
  #socket: Socket | null = null;
  #waiters: { pred: (m: P2pMessage) => boolean; resolve: (m: P2pMessage) => void }[] = [];
  #closeWaiters: (() => void)[] = [];
  connections = 0;
  closes = 0;
  port = 0;

  constructor(
    readonly network: Network,
    readonly opts: { sendCmpct?: boolean; sendHeaders?: boolean } = {},
  ) {
    this.#server = createServer((s) => this.#onConnection(s));
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  #onConnection(s: Socket): void {
    this.#socket = s;
    this.connections++;
    const dec = new EnvelopeDecoder(NETWORK_MAGIC[this.network]);
    s.on('data', (chunk: Buffer) => {
      for (const r of dec.push(chunk)) {
        if (!r.ok) throw new Error(`bitpeer sent a bad envelope: ${r.error.message}`);
        const m = decodePayload(r.value.command, r.value.payload);
        if (!m.ok) throw new Error(`bitpeer sent a bad payload: ${m.error.message}`);
        if (m.value.type === 'other') continue;
        this.#onMessage(m.value);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.#socket === s) this.#socket = null;
      this.closes++;
      for (const w of this.#closeWaiters.splice(0)) w();
    });
  }

  #onMessage(m: P2pMessage): void {
    this.received.push(m);
    if (m.type === 'version') {
      this.send({
        type: 'version',
        version: 70016,
        services: 9n,
        timestamp: BigInt(Math.floor(Date.now() / 1000)),
        addrRecv: { services: 0n, ip: ipv4Mapped('127.0.0.1'), port: 0 },
        addrFrom: { services: 9n, ip: ipv4Mapped('127.0.0.1'), port: this.port },
        nonce: 77n,
        userAgent: '/test-node:1.0/',
        startHeight: 107,
        relay: true,
      });
      this.send({ type: 'verack' });
      if (this.opts.sendHeaders) this.send({ type: 'sendheaders' });
      if (this.opts.sendCmpct) this.send({ type: 'sendcmpct', highBandwidth: true, version: 2n });
    }
    if (m.type === 'ping') this.send({ type: 'pong', nonce: m.nonce });
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  send(m: P2pMessage): void {
    this.sendRaw(encodeEnvelope(NETWORK_MAGIC[this.network], m.type, encodePayload(m)));
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.#socket) throw new Error('bitpeer is not connected');
    this.#socket.write(bytes);
  }

  get connected(): boolean {
    return this.#socket !== null;
  }

  /** The first message (already received or still to come) that matches. */
  waitFor<T extends P2pMessage['type']>(
    type: T,
    pred: (m: P2pMessage & { type: T }) => boolean = () => true,
  ): Promise<P2pMessage & { type: T }> {
    const test = (m: P2pMessage) => m.type === type && pred(m as P2pMessage & { type: T });
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen as P2pMessage & { type: T });
    return new Promise((resolve) =>
      this.#waiters.push({ pred: test, resolve: resolve as (m: P2pMessage) => void }),
    );
  }

  waitClosed(): Promise<void> {
    if (!this.#socket) return Promise.resolve();
    return new Promise((r) => this.#closeWaiters.push(r));
  }

  async close(): Promise<void> {
    this.#socket?.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

/** A stand-in jobmaster port: collects the NEW_TIP messages tip notifiers send it. */
export class TestJobmaster {
  readonly tips: NewTipMessage[] = [];
  readonly hellos: string[] = [];
  #server: Server;
  #waiters: ((t: NewTipMessage) => void)[] = [];
  #sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.#server = createServer((s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      const dec = new FrameDecoder();
      s.on('data', (chunk: Buffer) => {
        for (const r of dec.push(chunk)) {
          if (!r.ok) throw new Error(r.error.message);
          const m = decodeJmMessage(r.value);
          if (!m.ok) throw new Error(m.error.message);
          if (m.value.type === 'HELLO') this.hellos.push(m.value.name);
          if (m.value.type === 'NEW_TIP') {
            this.tips.push(m.value);
            for (const w of this.#waiters.splice(0)) w(m.value);
          }
        }
      });
      s.on('error', () => undefined);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  get clients(): number {
    return this.#sockets.size;
  }

  nextTip(): Promise<NewTipMessage> {
    return new Promise((r) => this.#waiters.push(r));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

// Shared by the bitpeer test files: real blocks, the start tip, and a bitpeer wired to test peers.
const log = pino({ level: 'silent' });
export const BLOCK108 = hexToBytes(readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim());
export const HEADER108 = new Uint8Array(BLOCK108.subarray(0, 80));
export const HASH107 = '50641d090f6ab7d5d049e34857266a6c2845c84f27a61270a5ee98a66c9b9d58';
export const HASH108 = '434d09bbaaf581fedfff03cc3de195744edd2c7a4c320ed25d2af2d96322aac8';
export const TIP107 = { hash: HASH107, height: 107, bits: '207fffff', time: 1795568800 };

export const mainnet = readFixtureJson<{ blocks: { hash: string; hex: string }[] }>(
  'bitcoin/blocks-real.json',
).blocks.find((b) => b.hash.startsWith('000000000000000000143a2c'))!;
export const HEADER542213 = new Uint8Array(hexToBytes(mainnet.hex).subarray(0, 80));

/** Starts a bitpeer on in-test nodes and in-test jobmasters; everything is stopped by `cleanups`. */
export async function startBitpeer(
  cleanups: (() => Promise<void> | void)[],
  nodes: TestNode[],
  extra: Record<string, unknown> = {},
  jobmasters = 1,
): Promise<{ bitpeer: Bitpeer; jms: TestJobmaster[]; config: BitpeerConfig; port?: number }> {
  const jms: TestJobmaster[] = [];
  for (let i = 0; i < jobmasters; i++) {
    const jm = new TestJobmaster();
    await jm.listen();
    jms.push(jm);
    cleanups.push(() => jm.close());
  }
  for (const n of nodes) {
    await n.listen();
    cleanups.push(() => n.close());
  }
  const cfg = parseBitpeerConfig({
    network: nodes[0]?.network ?? 'regtest',
    peers: nodes.map((n) => `127.0.0.1:${n.port}`),
    tip: TIP107,
    jobmasters: jms.map((j) => `127.0.0.1:${j.port}`),
    reconnectMs: 60_000,
    logLevel: 'silent',
    ...extra,
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const bitpeer = new Bitpeer(cfg.value, log);
  const { port } = await bitpeer.start();
  cleanups.push(() => bitpeer.stop());
  await until(() => jms.every((j) => j.clients === 1));
  return { bitpeer, jms, config: cfg.value, ...(port !== undefined ? { port } : {}) };
}

export async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not met in time');
}
