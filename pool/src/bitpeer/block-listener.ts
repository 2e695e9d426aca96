// The port blockmasters connect to: SUBMIT_BLOCK frames in (blocks to broadcast), UPDATE_BLOCK frames
// out (blocks this bitpeer saw on the network).
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from '@farmhand/core/uplink';
import { BlockFrame, MAX_BLOCK_FRAME, blockFrame } from '../blockmaster/wire.js';

export class BlockListener {
  readonly #server: Server;
  readonly #conns = new Set<Socket>();
  #seq = 0;

  constructor(log: Logger, onBlock: (raw: Uint8Array, from: string) => void) {
    this.#server = createServer((s) => {
      const from = `${s.remoteAddress}:${s.remotePort}`;
      this.#conns.add(s);
      s.setNoDelay(true);
      const dec = new FrameDecoder({ maxBodyBytes: MAX_BLOCK_FRAME });
      s.on('data', (chunk: Buffer) => {
        for (const r of dec.push(chunk)) {
          if (!r.ok) {
            log.warn({ blockmaster: from }, `framing error: ${r.error.message}; closing`);
            return s.destroy();
          }
          if (r.value.type === BlockFrame.SUBMIT_BLOCK) onBlock(r.value.body, from);
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => this.#conns.delete(s));
    });
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    return (this.#server.address() as { port: number }).port;
  }

  get connections(): number {
    return this.#conns.size;
  }

  /** A block seen on the network, to every connected blockmaster. */
  sendUpdate(raw: Uint8Array): void {
    for (const s of this.#conns)
      s.write(blockFrame(BlockFrame.UPDATE_BLOCK, (this.#seq = (this.#seq + 1) >>> 0), raw));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const s of this.#conns) s.destroy();
    await closed;
  }
}
