// The TCP side of the jobmaster: gateways (and tip notifiers) connect here and speak framed JSON messages.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from '@farmhand/core/uplink';
import { decodeJmMessage, encodeJmMessage, type JmMessage } from './wire.js';

/** Inbound messages are small (FOUND_BLOCK, NEW_TIP); anything bigger is an error. */
const MAX_INBOUND_BODY = 64 * 1024;

export class GatewayConnection {
  name: string;
  /** A blockmaster that asked (BLOCKS) for every found block. */
  wantsBlocks = false;
  #seq = 0;

  constructor(
    readonly id: number,
    readonly peer: string,
    readonly socket: Socket,
  ) {
    this.name = peer;
  }

  /** Sends a message; replies pass the request's seq, everything else takes the next own seq. */
  send(msg: JmMessage, replyTo?: number): void {
    if (this.socket.destroyed) return;
    const seq = replyTo ?? (this.#seq = (this.#seq + 1) >>> 0);
    this.socket.write(encodeJmMessage(msg, seq));
  }

  /** An already-encoded frame (the raw found block to blockmasters). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface GatewayListenerHandlers {
  connect(conn: GatewayConnection): void;
  message(conn: GatewayConnection, msg: JmMessage, seq: number): void;
  disconnect(conn: GatewayConnection, reason: string): void;
}

export class GatewayListener {
  readonly #server: Server;
  readonly #conns = new Map<number, GatewayConnection>();
  #nextId = 1;

  constructor(
    private readonly log: Logger,
    handlers: GatewayListenerHandlers,
  ) {
    this.#server = createServer((socket) => {
      const conn = new GatewayConnection(
        this.#nextId++,
        `${socket.remoteAddress}:${socket.remotePort}`,
        socket,
      );
      this.#conns.set(conn.id, conn);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      const decoder = new FrameDecoder({ maxBodyBytes: MAX_INBOUND_BODY });
      let reason = 'closed by peer';
      socket.on('data', (chunk: Buffer) => {
        for (const r of decoder.push(chunk)) {
          if (!r.ok) {
            reason = `framing error: ${r.error.message}`;
            conn.send({ type: 'ERROR', code: 'BAD_MESSAGE', message: r.error.message });
            socket.end();
            return;
          }
          const msg = decodeJmMessage(r.value);
          if (!msg.ok) {
            // A well-framed but wrong message: refuse it and keep the link.
            this.log.warn({ gateway: conn.name }, msg.error.message);
            conn.send({ type: 'ERROR', code: 'BAD_MESSAGE', message: msg.error.message }, r.value.seq);
            continue;
          }
          handlers.message(conn, msg.value, r.value.seq);
        }
      });
      socket.on('error', (e) => {
        reason = e.message;
      });
      socket.on('close', () => {
        this.#conns.delete(conn.id);
        handlers.disconnect(conn, reason);
      });
      handlers.connect(conn);
    });
  }

  async listen(host: string, port: number): Promise<{ port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return { port: (this.#server.address() as { port: number }).port };
  }

  broadcast(msg: JmMessage): number {
    for (const c of this.#conns.values()) c.send(msg);
    return this.#conns.size;
  }

  /** Connections that asked for found blocks. */
  blockSubscribers(): GatewayConnection[] {
    return [...this.#conns.values()].filter((c) => c.wantsBlocks);
  }

  get connections(): number {
    return this.#conns.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#conns.values()) c.close();
    await closed;
  }
}
