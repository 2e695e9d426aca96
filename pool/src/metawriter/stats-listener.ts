// The metawriter's TCP side: uplink frames carrying stats batches in, one ACK or NACK per batch out.
// An ACK is sent only after Redis confirmed the batch, so a sender that keeps every batch until its ACK
// (the gateway's spool) never loses one. Per connection, at most maxInFlight batches wait for Redis;
// beyond that the socket is paused, which keeps memory bounded and pushes back on the sender.
import { decodeStatsBatch, encodeAck, encodeNack, STATS_FRAME, type StatsBatch } from '@farmhand/core/stats';
import { encodeFrame, FrameDecoder, type Frame } from '@farmhand/core/uplink';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Result } from '@farmhand/core';
import type { StatsWriter } from './stats-writer.js';

/** A batch taker other than the StatsWriter (the metarelay's spool): ok once the batch is durable. */
export interface BatchTaker {
  submit(batch: StatsBatch): Promise<Result<'applied' | 'duplicate', string>>;
}

export interface StatsListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly trust: readonly string[];
  readonly maxBodyBytes: number;
  readonly maxInFlightPerConnection: number;
  readonly onLog?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export class StatsListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    // Anything that takes a batch and settles when it is durable: the writer (Redis), a relay's spool.
    private readonly writer: Pick<StatsWriter, 'submit'> | BatchTaker,
    private readonly opts: StatsListenerOptions,
  ) {
    this.server = createServer((s) => this.accept(s));
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.onLog?.(level, msg);
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (this.opts.trust.length > 0 && !this.opts.trust.includes(ip)) {
      this.log('warn', `stats link from ${peer} refused: ${ip} is not in trust`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({ maxBodyBytes: this.opts.maxBodyBytes });
    let inFlight = 0;
    // Frames decoded but not yet handed to the writer: one chunk can hold many batches, so pausing the
    // socket alone would not bound what waits for Redis.
    const waiting: Frame[] = [];
    const reply = (type: number, seq: number, body: Uint8Array): void => {
      if (!socket.destroyed) socket.write(encodeFrame({ type, seq, body }));
    };
    const pump = (): void => {
      while (waiting.length > 0 && inFlight < this.opts.maxInFlightPerConnection) {
        const frame = waiting.shift()!;
        const parsed = decodeStatsBatch(frame.body);
        if (!parsed.ok) {
          this.log('error', `stats link from ${peer}: batch refused: ${parsed.error.message}`);
          const nack = {
            source: '',
            seq: -1,
            code: parsed.error.code,
            message: parsed.error.message,
            retry: false,
          };
          reply(STATS_FRAME.NACK, frame.seq, encodeNack(nack));
          continue;
        }
        inFlight++;
        void this.write(parsed.value, frame.seq, reply).finally(() => {
          inFlight--;
          pump();
        });
      }
      const full = waiting.length > 0 || inFlight >= this.opts.maxInFlightPerConnection;
      if (full && !socket.isPaused()) socket.pause();
      else if (!full && socket.isPaused()) socket.resume();
    };
    socket.on('data', (chunk) => {
      for (const r of decoder.push(chunk)) {
        if (!r.ok) {
          this.log('warn', `stats link from ${peer} closed: ${r.error.message}`);
          socket.destroy();
          return;
        }
        if (r.value.type !== STATS_FRAME.BATCH) {
          this.log('warn', `stats link from ${peer}: frame type 0x${r.value.type.toString(16)} ignored`);
          continue;
        }
        waiting.push(r.value);
      }
      pump();
    });
    socket.on('error', (e) => this.log('warn', `stats link from ${peer}: ${e.message}`));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async write(
    batch: StatsBatch,
    frameSeq: number,
    reply: (type: number, seq: number, body: Uint8Array) => void,
  ): Promise<void> {
    const r = await this.writer.submit(batch);
    const id = { source: batch.source, seq: batch.seq };
    if (r.ok) reply(STATS_FRAME.ACK, frameSeq, encodeAck({ ...id, outcome: r.value }));
    else
      reply(
        STATS_FRAME.NACK,
        frameSeq,
        encodeNack({ ...id, code: r.error.code, message: r.error.message, retry: true }),
      );
  }
}
