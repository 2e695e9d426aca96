import type { Socket } from 'node:net';
import { LineDecoder, StratumErrorCode, encodeError } from '@farmhand/core/stratum';
import { FloodGuard, type FloodGuardOptions } from '@farmhand/core/session';
import type { DisconnectCode } from './server-events.js';

// The socket side of one miner: line framing with a size bound, the flood guard, serial handling of
// lines (a submit waits for the share store before the next line is looked at), bounded output.

export interface ConnectionLimits {
  readonly maxLineBytes: number;
  readonly flood: FloodGuardOptions;
  readonly maxWriteBufferBytes: number;
}

export interface ConnectionHandler {
  /** One line; a returned promise holds the next line until it settles. */
  line(conn: MinerConnection, line: string, now: number): Promise<void> | void;
  closed(conn: MinerConnection, code: DisconnectCode, reason: string): void;
}

/** Lines received but not yet handled (while a submit waits on the store) before it counts as a flood. */
const MAX_QUEUED_LINES = 256;
/** After end(), how long a peer gets to read our last lines before the socket is destroyed. */
const CLOSE_GRACE_MS = 2000;

export class MinerConnection {
  readonly peer: string;
  readonly ip: string;
  readonly connectedAt: number;
  lastInboundAt: number;
  #decoder: LineDecoder;
  #flood: FloodGuard;
  readonly #queue: string[] = [];
  #busy = false;
  #closing: { code: DisconnectCode; reason: string } | undefined;

  constructor(
    readonly id: string,
    readonly socket: Socket,
    readonly limits: ConnectionLimits,
    readonly handler: ConnectionHandler,
    now: number,
  ) {
    this.ip = socket.remoteAddress ?? 'unknown';
    this.peer = `${this.ip}:${socket.remotePort ?? 0}`;
    this.connectedAt = now;
    this.lastInboundAt = now;
    this.#decoder = new LineDecoder({ maxLineBytes: limits.maxLineBytes });
    this.#flood = new FloodGuard(limits.flood, now);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => {
      this.#closing ??= { code: 'socket-error', reason: err.message };
    });
    socket.on('close', () => {
      const why = this.#closing ?? { code: 'peer-closed', reason: 'the miner closed the connection' };
      this.#closing = why;
      this.handler.closed(this, why.code, why.reason);
    });
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Stops reading (no work to hand out yet); TCP holds the miner's lines for us. */
  hold(): void {
    this.socket.pause();
  }

  release(): void {
    if (!this.closing) this.socket.resume();
  }

  /** Writes lines; drops the miner when its unread output passes the bound. */
  send(lines: readonly (string | Uint8Array)[]): void {
    if (this.closing || this.socket.destroyed) return;
    for (const l of lines) this.socket.write(l);
    if (this.socket.writableLength > this.limits.maxWriteBufferBytes) {
      this.#closing = {
        code: 'slow-consumer',
        reason: `over ${this.limits.maxWriteBufferBytes} bytes of output unread; dropped as a slow consumer`,
      };
      this.socket.destroy();
    }
  }

  /** Sends the last lines, then closes. The first reason given is the one reported. */
  close(code: DisconnectCode, reason: string, lastLines: readonly string[] = []): void {
    if (this.closing) return;
    this.send(lastLines);
    if (this.closing) return;
    this.#closing = { code, reason };
    this.#queue.length = 0;
    this.socket.pause();
    if (this.socket.destroyed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  #onData(chunk: Buffer): void {
    if (this.closing) return;
    const now = Date.now();
    for (const r of this.#decoder.push(chunk)) {
      if (!r.ok) {
        this.close('line-too-long', r.error.message, [
          encodeError(null, StratumErrorCode.Other, `line too long: ${r.error.message}`),
        ]);
        return;
      }
      this.lastInboundAt = now;
      if (!this.#flood.take(now)) {
        const { ratePerSecond, burst } = this.limits.flood;
        const why = `more than ${ratePerSecond} messages per second (burst ${burst})`;
        this.close('flood', why, [encodeError(null, StratumErrorCode.Other, `too many messages: ${why}`)]);
        return;
      }
      if (this.#queue.length >= MAX_QUEUED_LINES) {
        this.close('flood', `${MAX_QUEUED_LINES} lines queued while a share was being stored`);
        return;
      }
      this.#queue.push(r.value);
      this.#drain();
    }
  }

  #drain(): void {
    while (!this.#busy && !this.closing) {
      const line = this.#queue.shift();
      if (line === undefined) return;
      const pending = this.handler.line(this, line, Date.now());
      if (pending) {
        this.#busy = true;
        void pending.finally(() => {
          this.#busy = false;
          this.#drain();
        });
      }
    }
  }
}
