import { EventEmitter } from 'node:events';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Logger } from 'pino';
import {
  FrameDecoder,
  UPLINK_PROTOCOL_VERSION,
  UplinkErrorCode,
  authProof,
  decodeMessage,
  encodeMessageFrame,
  jobMessageToStratum,
  type UplinkMessage,
  type WelcomeMessage,
} from '@farmhand/core/uplink';
import { bytesToHex } from '@farmhand/core/bitcoin';
import { Backoff } from './backoff.js';
import type { ShareRecord } from './share-record.js';
import type { Upstream, UpstreamState, UpstreamWork } from './upstream.js';
import type { UplinkUrl } from './upstream-url.js';
import { JobTable, UplinkBatches } from './uplink-batches.js';

// The agent's side of the uplink (docs/uplink.md, session rules): HELLO/CHALLENGE/AUTH/WELCOME, JOBs
// in, SHARES batches out (by count or after a short timer), ACKs back to the caller, BLOCK at once,
// EVENTs, STATUS and PING on timers. Any frame or message error closes the link and reconnects.

export interface AgentStatus {
  readonly miners: number;
  readonly hashrate: number;
  readonly bufferDepth: number;
}

export interface UplinkClientOptions {
  readonly name: string;
  readonly url: UplinkUrl;
  readonly logger: Logger;
  readonly software?: string;
  /** TLS options for farmhand+tls (ca, servername, rejectUnauthorized...). */
  readonly tls?: ConnectionOptions;
  readonly batchMaxRecords?: number;
  readonly batchDelayMs?: number;
  readonly pingIntervalMs?: number;
  readonly statusIntervalMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly status?: () => AgentStatus;
  readonly backoff?: Backoff;
}

export type WorkerEvent = {
  kind: 'authorize' | 'connect' | 'disconnect';
  name: string;
  peer: string;
  at?: number;
};

export class UplinkClient extends EventEmitter implements Upstream {
  readonly name: string;
  readonly kind = 'uplink' as const;
  readonly #o: Required<Omit<UplinkClientOptions, 'tls' | 'status' | 'backoff' | 'logger'>>;
  readonly #tls: ConnectionOptions | undefined;
  readonly #statusOf: (() => AgentStatus) | undefined;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #jobs = new JobTable();
  #socket: Socket | null = null;
  #closed = true;
  #welcome: WelcomeMessage | null = null;
  #session: UplinkBatches | null = null;
  #lastWork: UpstreamWork | null = null;
  #frameSeq = 0;
  #timers: NodeJS.Timeout[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  #idle: NodeJS.Timeout | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  #latencyMs: number | undefined;
  #lastError: string | undefined;

  constructor(options: UplinkClientOptions) {
    super();
    this.name = options.name;
    this.#o = {
      name: options.name,
      url: options.url,
      software: options.software ?? 'farmhand/0.1.0',
      batchMaxRecords: options.batchMaxRecords ?? 512,
      batchDelayMs: options.batchDelayMs ?? 50,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      statusIntervalMs: options.statusIntervalMs ?? 60_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    };
    this.#tls = options.tls;
    this.#statusOf = options.status;
    this.#log = options.logger.child({ upstream: options.name });
    this.#backoff = options.backoff ?? new Backoff();
  }

  state(): UpstreamState {
    return {
      connected: this.#session !== null && this.#lastWork !== null,
      ...(this.#latencyMs === undefined ? {} : { latencyMs: this.#latencyMs }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** The session's WELCOME (extranonce prefix, en2 size, mask), while connected. */
  get welcome(): WelcomeMessage | null {
    return this.#welcome;
  }

  connect(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnect) clearTimeout(this.#reconnect);
    const s = this.#socket;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  #open(): void {
    const { host, port, tls, display } = this.#o.url;
    this.#log.info({ url: display }, 'connecting to gateway');
    const socket = tls
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...this.#tls })
      : tcpConnect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    this.#frameSeq = 0;
    const decoder = new FrameDecoder();
    let reason = 'connection closed by the gateway';
    const fail = (why: string) => {
      reason = why;
      this.#log.error({ reason: why }, 'closing the uplink');
      socket.destroy();
    };
    socket.on(tls ? 'secureConnect' : 'connect', () => {
      this.#touch(socket);
      this.#send({
        type: 'hello',
        protocolVersion: UPLINK_PROTOCOL_VERSION,
        agentId: this.#o.url.agentId,
        software: this.#o.software,
      });
    });
    const handshake = setTimeout(() => {
      if (!this.#session) fail(`no WELCOME within ${this.#o.handshakeTimeoutMs} ms`);
    }, this.#o.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      this.#touch(socket);
      for (const f of decoder.push(chunk)) {
        if (socket.destroyed) return;
        if (!f.ok) return fail(`corrupt frame from the gateway (${f.error.code}): ${f.error.message}`);
        const m = decodeMessage(f.value.type, f.value.body);
        if (!m.ok) return fail(`bad message from the gateway (${m.error.code}): ${m.error.message}`);
        const why = this.#onMessage(m.value);
        if (why) return fail(why);
      }
    });
    socket.on('error', (e) => {
      reason = e.message;
    });
    socket.on('close', () => {
      clearTimeout(handshake);
      this.#onClose(reason);
    });
  }

  #send(m: UplinkMessage): number {
    const seq = ++this.#frameSeq;
    this.#socket?.write(encodeMessageFrame(m, seq));
    return seq;
  }

  #touch(socket: Socket): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.#log.warn({ ms: this.#o.idleTimeoutMs }, 'gateway silent, reconnecting');
      socket.destroy();
    }, this.#o.idleTimeoutMs);
    this.#idle.unref();
  }

  /** Returns a reason to close, or undefined. */
  #onMessage(m: UplinkMessage): string | undefined {
    if (!this.#welcome) {
      switch (m.type) {
        case 'challenge':
          this.#send({ type: 'auth', proof: authProof(this.#o.url.token, m.nonce, this.#o.url.agentId) });
          return undefined;
        case 'welcome':
          this.#onWelcome(m);
          return undefined;
        case 'error':
          if (m.code === UplinkErrorCode.AuthFailed) this.#backoff.max();
          return m.code === UplinkErrorCode.AuthFailed
            ? `gateway refused agent ${this.#o.url.agentId}: authentication failed (${m.message}); check the token in the upstream URL`
            : `gateway error ${m.code} during the handshake: ${m.message}`;
        default:
          return `gateway sent ${m.type.toUpperCase()} before WELCOME`;
      }
    }
    switch (m.type) {
      case 'job': {
        this.#jobs.add(m);
        const first = this.#lastWork === null;
        this.#lastWork = {
          job: jobMessageToStratum(m),
          extranonce1: bytesToHex(this.#welcome.extranoncePrefix),
          extranonce2Size: this.#welcome.extranonce2Size,
          difficulty: m.shareDifficulty,
          versionMask: this.#welcome.versionMask,
        };
        if (first) {
          this.#backoff.reset();
          this.#lastError = undefined;
          this.emit('up');
        }
        this.emit('work', this.#lastWork);
        return undefined;
      }
      case 'ack': {
        const acks = this.#session?.ack(m);
        if (!acks) return `ACK for unknown SHARES frame ${m.sharesFrameSeq} (count ${m.count})`;
        this.emit('ack', acks);
        return undefined;
      }
      case 'ping':
        this.#send({ type: 'pong', stamp: m.stamp });
        return undefined;
      case 'pong':
        this.#latencyMs = Math.max(0, Date.now() - m.stamp);
        return undefined;
      case 'error':
        return `gateway error ${m.code}: ${m.message}`;
      default:
        return `gateway sent an unexpected ${m.type.toUpperCase()}`;
    }
  }

  #onWelcome(m: WelcomeMessage): void {
    this.#welcome = m;
    this.#session = new UplinkBatches(m, this.#jobs, this.#log);
    this.#log.info(
      {
        session: m.sessionId,
        prefix: bytesToHex(m.extranoncePrefix),
        en2: m.extranonce2Size,
        difficulty: m.difficulty,
      },
      'uplink session open',
    );
    this.#timers.push(
      setInterval(() => this.#send({ type: 'ping', stamp: Date.now() }), this.#o.pingIntervalMs),
    );
    if (this.#statusOf) {
      const status = this.#statusOf;
      this.#timers.push(
        setInterval(
          () => this.#send({ type: 'status', at: Math.floor(Date.now() / 1000), ...status() }),
          this.#o.statusIntervalMs,
        ),
      );
    }
    this.#send({ type: 'ping', stamp: Date.now() });
  }

  #onClose(reason: string): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    if (this.#idle) clearTimeout(this.#idle);
    this.#flushTimer = null;
    const wasUp = this.#lastWork !== null;
    this.#socket = null;
    this.#welcome = null;
    this.#session = null; // un-acked records stay in the store and are replayed after 'up'
    this.#lastWork = null;
    if (!this.#closed || wasUp) this.#lastError = reason;
    if (wasUp) this.emit('down', reason);
    if (this.#closed) return;
    const delay = this.#backoff.next();
    this.#log.warn({ reason, retryMs: delay }, 'uplink lost');
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (!this.#closed) this.#open();
    }, delay);
  }

  submitShares(records: readonly ShareRecord[]): void {
    const session = this.#session;
    if (!session || !this.#lastWork) return;
    const { messages, local } = session.add(records);
    // BLOCKs and the EVENTs naming their workers go out now, ahead of anything queued.
    for (const m of messages) this.#send(m);
    if (messages.some((m) => m.type === 'block')) this.#flush();
    else if (session.queued >= this.#o.batchMaxRecords) this.#flush();
    else if (session.queued > 0 && !this.#flushTimer) {
      this.#flushTimer = setTimeout(() => this.#flush(), this.#o.batchDelayMs);
    }
    if (local.length > 0) this.emit('ack', local);
  }

  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const session = this.#session;
    if (!session) return;
    for (const b of session.drain(this.#o.batchMaxRecords, () => ++this.#frameSeq)) {
      this.#socket?.write(encodeMessageFrame(b.message, b.frameSeq));
    }
  }

  /** Sends a worker event (the index is assigned on first use of the name in this session). */
  sendEvent(e: WorkerEvent): void {
    const session = this.#session;
    if (!session) return;
    const slot = session.workerIndex(e.name);
    if (!slot) return;
    const { index, announce } = slot;
    if (announce && e.kind !== 'authorize') this.#send(announce);
    this.#send({
      type: 'event',
      kind: e.kind,
      worker: index,
      name: e.name,
      peer: e.peer,
      at: e.at ?? Math.floor(Date.now() / 1000),
    });
  }
}
