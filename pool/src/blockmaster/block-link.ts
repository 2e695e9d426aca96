// One framed connection carrying block frames (wire.ts), inbound or outbound. Outbound links reconnect.
import { connect, type Socket } from 'node:net';
import { FrameDecoder, type Frame } from '@farmhand/core/uplink';
import { MAX_BLOCK_FRAME, blockFrame } from './wire.js';
import type { HostPort } from '../bitpeer/config.js';

export class BlockLink {
  #socket: Socket | null;
  #seq = 0;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  connected: boolean;

  /** Inbound: wraps an accepted socket. */
  static accepted(socket: Socket, onFrame: (link: BlockLink, f: Frame) => void): BlockLink {
    const link = new BlockLink(`${socket.remoteAddress}:${socket.remotePort}`, null, 0, onFrame);
    link.#attach(socket);
    return link;
  }

  /** Outbound: connects, and reconnects after reconnectMs when the link drops. */
  static outbound(
    addr: HostPort,
    reconnectMs: number,
    onFrame: (link: BlockLink, f: Frame) => void,
    onConnect?: (link: BlockLink) => void,
  ): BlockLink {
    const link = new BlockLink(`${addr.host}:${addr.port}`, addr, reconnectMs, onFrame, onConnect);
    link.#dial();
    return link;
  }

  private constructor(
    readonly name: string,
    private readonly addr: HostPort | null,
    private readonly reconnectMs: number,
    private readonly onFrame: (link: BlockLink, f: Frame) => void,
    private readonly onConnect?: (link: BlockLink) => void,
  ) {
    this.#socket = null;
    this.connected = false;
  }

  #dial(): void {
    if (!this.addr || this.#stopped) return;
    const s = connect({ host: this.addr.host, port: this.addr.port });
    s.on('connect', () => {
      this.connected = true;
      this.onConnect?.(this);
    });
    this.#attach(s);
  }

  #attach(s: Socket): void {
    this.#socket = s;
    s.setNoDelay(true);
    if (!this.addr) this.connected = true;
    const dec = new FrameDecoder({ maxBodyBytes: MAX_BLOCK_FRAME });
    s.on('data', (chunk: Buffer) => {
      for (const r of dec.push(chunk)) {
        if (!r.ok) return s.destroy();
        this.onFrame(this, r.value);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.connected = false;
      if (this.addr && !this.#stopped) this.#retry = setTimeout(() => this.#dial(), this.reconnectMs);
    });
  }

  send(type: number, body: Uint8Array): boolean {
    if (!this.connected || !this.#socket) return false;
    this.#seq = (this.#seq + 1) >>> 0;
    this.#socket.write(blockFrame(type, this.#seq, body));
    return true;
  }

  /** Writes an already-encoded frame (the jobmaster link speaks jobmaster frames). */
  sendRaw(bytes: Uint8Array): void {
    if (this.connected) this.#socket?.write(bytes);
  }

  close(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#socket?.destroy();
  }
}
