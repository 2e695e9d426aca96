// The gateway's client of the jobmaster (docs/pool-wire.md): a failover list tried in order, reconnect
// with back-off, JOBs in, FOUND_BLOCK out at once. A found block waiting for a link is kept (bounded)
// and sent first after the reconnect: a block is worth more than anything else the gateway holds.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '@farmhand/core/uplink';
import type { Logger } from 'pino';
import {
  decodeJmMessage,
  encodeJmMessage,
  type BlockResultMessage,
  type FoundBlockMessage,
  type JobMessage,
  type JmMessage,
} from '../jobmaster/wire.js';

export interface JobmasterAddress {
  readonly host: string;
  readonly port: number;
}

export interface JobmasterLinkOptions {
  readonly addresses: readonly JobmasterAddress[];
  /** Our name in the HELLO. */
  readonly name: string;
  readonly logger: Logger;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** PING after this much silence; the link is dropped after three times as much. */
  readonly pingMs?: number;
}

export interface JobEvent {
  readonly job: JobMessage;
  /** The first job on a fresh connection (a jobmaster restart or a failover). */
  readonly first: boolean;
}

const MAX_WAITING_BLOCKS = 64;
const MAX_AUX_ONLY = 1024;

export class JobmasterLink extends EventEmitter {
  readonly #opts: Required<Omit<JobmasterLinkOptions, 'logger'>>;
  readonly #log: Logger;
  #socket: Socket | undefined;
  #up = false;
  #index = 0;
  #failures = 0;
  #seq = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  #heardAt = 0;
  #firstJob = true;
  readonly #waiting: FoundBlockMessage[] = [];
  /** Seqs of FOUND_BLOCKs sent for the aux target only (their NOT_A_BLOCK is expected). */
  readonly #auxOnlySeqs = new Set<number>();

  constructor(opts: JobmasterLinkOptions) {
    super();
    this.#opts = { minBackoffMs: 250, maxBackoffMs: 5000, pingMs: 10_000, ...opts };
    this.#log = opts.logger;
  }

  get up(): boolean {
    return this.#up;
  }

  start(): void {
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#ping);
    this.#socket?.destroy();
  }

  /**
   * Sends at once when the link is up; otherwise first thing after the reconnect. `auxOnly`: the share
   * meets only the aux target, so the jobmaster's NOT_A_BLOCK answer is expected, not an error.
   */
  foundBlock(msg: FoundBlockMessage, auxOnly = false): void {
    if (this.#up && this.#socket) {
      const seq = this.#send(msg);
      if (auxOnly) {
        if (this.#auxOnlySeqs.size >= MAX_AUX_ONLY) this.#auxOnlySeqs.clear();
        this.#auxOnlySeqs.add(seq);
      }
      return;
    }
    // An aux-only share that cannot be sent now is not worth keeping: its aux work will move on.
    if (auxOnly) return;
    if (this.#waiting.length >= MAX_WAITING_BLOCKS) this.#waiting.shift();
    this.#waiting.push(msg);
    this.#log.error({ jobId: msg.jobId }, 'found block waits: no jobmaster connected');
  }

  #send(msg: JmMessage): number {
    this.#seq = (this.#seq + 1) >>> 0;
    this.#socket?.write(encodeJmMessage(msg, this.#seq));
    return this.#seq;
  }

  #connect(): void {
    if (this.#closed) return;
    const addr = this.#opts.addresses[this.#index % this.#opts.addresses.length]!;
    const socket = connect({ host: addr.host, port: addr.port });
    this.#socket = socket;
    const decoder = new FrameDecoder({ maxBodyBytes: 16 * 1024 * 1024 });
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.#up = true;
      this.#failures = 0;
      this.#firstJob = true;
      this.#heardAt = Date.now();
      this.#log.info({ jobmaster: `${addr.host}:${addr.port}` }, 'jobmaster connected');
      this.#send({ type: 'HELLO', name: this.#opts.name });
      for (const b of this.#waiting.splice(0)) this.#send(b);
      this.#ping = setInterval(() => this.#liveness(socket), this.#opts.pingMs);
      this.#ping.unref();
      this.emit('up', addr);
    });
    socket.on('data', (chunk: Buffer) => {
      this.#heardAt = Date.now();
      for (const r of decoder.push(chunk)) {
        if (!r.ok) {
          this.#log.error({ code: r.error.code }, `jobmaster stream broken: ${r.error.message}`);
          socket.destroy();
          return;
        }
        const m = decodeJmMessage(r.value);
        if (!m.ok) {
          this.#log.error(m.error.message);
          continue;
        }
        this.#onMessage(m.value, r.value.seq);
      }
    });
    socket.on('error', (err) => {
      if (this.#failures === 0 || this.#failures % 20 === 0)
        this.#log.warn({ jobmaster: `${addr.host}:${addr.port}`, err: err.message }, 'jobmaster link error');
    });
    socket.on('close', () => {
      clearInterval(this.#ping);
      const wasUp = this.#up;
      this.#up = false;
      if (wasUp) this.emit('down');
      if (this.#closed) return;
      this.#failures += 1;
      if (!wasUp) this.#index += 1; // failover to the next address after a failed attempt
      const delay = Math.min(
        this.#opts.maxBackoffMs,
        this.#opts.minBackoffMs * 2 ** Math.min(this.#failures - 1, 8),
      );
      this.#timer = setTimeout(
        () => this.#connect(),
        wasUp ? this.#opts.minBackoffMs : delay * (0.75 + Math.random() / 2),
      );
      this.#timer.unref();
    });
  }

  #liveness(socket: Socket): void {
    const silent = Date.now() - this.#heardAt;
    if (silent > 3 * this.#opts.pingMs) {
      this.#log.warn({ silentMs: silent }, 'jobmaster silent; reconnecting');
      socket.destroy();
    } else if (silent >= this.#opts.pingMs) this.#send({ type: 'PING' });
  }

  #onMessage(m: JmMessage, seq: number): void {
    switch (m.type) {
      case 'JOB': {
        const ev: JobEvent = { job: m, first: this.#firstJob };
        this.#firstJob = false;
        this.emit('job', ev);
        return;
      }
      case 'PING':
        this.#send({ type: 'PONG' });
        return;
      case 'BLOCK_RESULT':
        this.emit('block-result', m satisfies BlockResultMessage);
        return;
      case 'NEW_BLOCK':
        this.emit('new-block', m);
        return;
      case 'ERROR':
        if (m.code === 'NOT_A_BLOCK' && this.#auxOnlySeqs.delete(seq))
          this.#log.debug({ jobId: m.jobId }, 'aux-only share: not a parent block, as expected');
        else this.#log.error({ code: m.code, jobId: m.jobId }, `jobmaster refused: ${m.message}`);
        return;
      default:
        return;
    }
  }
}
