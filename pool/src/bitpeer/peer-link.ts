// One outbound connection to a Bitcoin node: the version/verack handshake, ping/pong both ways, the
// peer's announcement preferences (sendheaders, sendcmpct), and dropping it when it misbehaves.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Network } from '@farmhand/core/bitcoin';
import {
  EnvelopeDecoder,
  NETWORK_MAGIC,
  NODE_WITNESS,
  PROTOCOL_VERSION,
  decodePayload,
  encodeEnvelope,
  encodePayload,
  ipv4Mapped,
  type P2pMessage,
  type VersionMessage,
} from '@farmhand/core/p2p';
import type { HostPort } from './config.js';

export interface PeerLinkOptions {
  network: Network;
  userAgent: string;
  startHeight: () => number;
  pingIntervalMs: number;
  handshakeTimeoutMs: number;
}

export interface PeerLinkHandlers {
  ready(peer: PeerLink): void;
  message(peer: PeerLink, msg: P2pMessage): void;
  closed(peer: PeerLink, reason: string): void;
}

/** Messages a peer may send before its version (Core sends nothing else first). */
const BEFORE_VERSION = new Set(['version']);

export class PeerLink {
  readonly name: string;
  #socket: Socket | null = null;
  #decoder: EnvelopeDecoder;
  #version: VersionMessage | null = null;
  #verack = false;
  #ready = false;
  #closed = false;
  #closeReason = 'closed by peer';
  #pingTimer: NodeJS.Timeout | null = null;
  #handshakeTimer: NodeJS.Timeout | null = null;
  #pendingPing: bigint | null = null;
  /** The peer asked for header announcements (BIP130). */
  wantsHeaders = false;
  /** The peer asked for compact blocks: high-bandwidth means push cmpctblock unasked (BIP152). */
  cmpct: { highBandwidth: boolean; version: 1 | 2 } | null = null;
  /** Header announcements that did not connect, for the misbehaviour limit. */
  unconnecting = 0;

  constructor(
    readonly addr: HostPort,
    private readonly opts: PeerLinkOptions,
    private readonly handlers: PeerLinkHandlers,
  ) {
    this.name = `${addr.host}:${addr.port}`;
    this.#decoder = new EnvelopeDecoder(NETWORK_MAGIC[opts.network]);
  }

  get ready(): boolean {
    return this.#ready;
  }

  get version(): VersionMessage | null {
    return this.#version;
  }

  open(): void {
    const socket = connect({ host: this.addr.host, port: this.addr.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.send(this.#ourVersion());
      this.#handshakeTimer = setTimeout(
        () => this.drop(`no handshake within ${this.opts.handshakeTimeoutMs} ms`),
        this.opts.handshakeTimeoutMs,
      );
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e) => {
      this.#closeReason = e.message;
    });
    socket.on('close', () => this.#finish());
  }

  send(msg: P2pMessage): void {
    const s = this.#socket;
    if (!s || s.destroyed || this.#closed) return;
    s.write(encodeEnvelope(NETWORK_MAGIC[this.opts.network], msg.type, encodePayload(msg)));
  }

  /** Closes the connection, logging why (misbehaviour, a config reload, shutdown). */
  drop(reason: string): void {
    if (this.#closed) return;
    this.#closeReason = reason;
    this.#socket?.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    this.handlers.closed(this, this.#closeReason);
  }

  #ourVersion(): VersionMessage {
    return {
      type: 'version',
      version: PROTOCOL_VERSION,
      services: NODE_WITNESS,
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      addrRecv: { services: 0n, ip: ipv4Mapped(this.addr.host), port: this.addr.port },
      addrFrom: { services: NODE_WITNESS, ip: new Uint8Array(16), port: 0 },
      nonce: randomBytes(8).readBigUInt64LE(0),
      userAgent: this.opts.userAgent,
      startHeight: this.opts.startHeight(),
      relay: false, // we hold no mempool: no transaction announcements, please
    };
  }

  #onData(chunk: Buffer): void {
    for (const r of this.#decoder.push(chunk)) {
      if (this.#closed) return;
      if (!r.ok) return this.drop(`${r.error.code}: ${r.error.message}`);
      const { command } = r.value;
      if (!this.#version && !BEFORE_VERSION.has(command))
        return this.drop(`sent "${command}" before its version`);
      const m = decodePayload(command, r.value.payload);
      if (!m.ok) return this.drop(`${m.error.code}: ${m.error.message}`);
      if (m.value.type === 'other') continue;
      this.#onMessage(m.value);
    }
  }

  #onMessage(m: P2pMessage): void {
    switch (m.type) {
      case 'version':
        if (this.#version) return this.drop('sent a second version');
        this.#version = m;
        this.send({ type: 'verack' });
        break;
      case 'verack':
        this.#verack = true;
        break;
      case 'ping':
        this.send({ type: 'pong', nonce: m.nonce });
        return;
      case 'pong':
        if (m.nonce === this.#pendingPing) this.#pendingPing = null;
        return;
      case 'sendheaders':
        this.wantsHeaders = true;
        return;
      case 'sendcmpct':
        // Only versions we can encode; anything else is ignored, as BIP152 says.
        if (m.version === 1n || m.version === 2n)
          if (!this.cmpct || m.version >= BigInt(this.cmpct.version))
            this.cmpct = { highBandwidth: m.highBandwidth, version: Number(m.version) as 1 | 2 };
        return;
      default:
        if (this.#ready) this.handlers.message(this, m);
        return;
    }
    if (!this.#ready && this.#version && this.#verack) this.#onReady();
  }

  #onReady(): void {
    this.#ready = true;
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    // Ask for header announcements and for compact blocks pushed at once (high bandwidth, segwit form).
    this.send({ type: 'sendheaders' });
    this.send({ type: 'sendcmpct', highBandwidth: true, version: 2n });
    this.#pingTimer = setInterval(() => {
      if (this.#pendingPing !== null) return this.drop(`no pong within ${this.opts.pingIntervalMs} ms`);
      this.#pendingPing = randomBytes(8).readBigUInt64LE(0);
      this.send({ type: 'ping', nonce: this.#pendingPing });
    }, this.opts.pingIntervalMs);
    this.handlers.ready(this);
  }
}
