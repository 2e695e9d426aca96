// The sending end of a stats link, for a gateway or metarelay (and the tests and bench): one TCP
// connection, batches out, each promise settled by the metawriter's ACK or NACK. It keeps nothing on
// disk; a sender that must not lose stats keeps each batch until its ACK and resends after a reconnect.
import {
  batchId,
  decodeAck,
  decodeNack,
  encodeStatsBatch,
  frameSeqOf,
  STATS_FRAME,
  type StatsAck,
  type StatsBatch,
  type StatsNack,
} from '@farmhand/core/stats';
import { fail, ok, type Result } from '@farmhand/core';
import { encodeFrame, FrameDecoder } from '@farmhand/core/uplink';
import { connect, type Socket } from 'node:net';

export type LinkCode = 'LINK_DOWN' | 'NACK';
export type SendResult = Result<StatsAck, LinkCode> & { readonly nack?: StatsNack };

interface Waiter {
  readonly frameSeq: number;
  readonly resolve: (r: SendResult) => void;
}

export class StatsLinkClient {
  private readonly pending = new Map<string, Waiter>();
  private readonly decoder = new FrameDecoder();

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.failAll('the metawriter closed the stats link'));
  }

  static connect(host: string, port: number): Promise<StatsLinkClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => {
        s.off('error', reject);
        resolve(new StatsLinkClient(s));
      });
      s.once('error', reject);
    });
  }

  send(batch: StatsBatch): Promise<SendResult> {
    if (this.socket.destroyed) return Promise.resolve(fail('LINK_DOWN', 'stats link is closed'));
    const id = batchId(batch);
    const frameSeq = frameSeqOf(batch);
    return new Promise((resolve) => {
      this.pending.get(id)?.resolve(fail('LINK_DOWN', 'superseded by a resend of the same batch'));
      this.pending.set(id, { frameSeq, resolve });
      this.socket.write(
        encodeFrame({ type: STATS_FRAME.BATCH, seq: frameSeq, body: encodeStatsBatch(batch) }),
      );
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const r of this.decoder.push(chunk)) {
      if (!r.ok) {
        this.socket.destroy();
        return;
      }
      const { type, seq, body } = r.value;
      if (type === STATS_FRAME.ACK) {
        const a = decodeAck(body);
        if (!a.ok) continue;
        const id = `${a.value.source}:${a.value.seq}`;
        const w = this.pending.get(id);
        this.pending.delete(id);
        w?.resolve(ok(a.value));
      } else if (type === STATS_FRAME.NACK) {
        const n = decodeNack(body);
        if (!n.ok) continue;
        let id = `${n.value.source}:${n.value.seq}`;
        if (!this.pending.has(id)) {
          // A batch that could not be parsed is named only by its frame sequence.
          id = [...this.pending].find(([, w]) => w.frameSeq === seq)?.[0] ?? id;
        }
        const w = this.pending.get(id);
        this.pending.delete(id);
        w?.resolve({ ...fail('NACK', `${n.value.code}: ${n.value.message}`), nack: n.value });
      }
    }
  }

  private failAll(message: string): void {
    for (const w of this.pending.values()) w.resolve(fail('LINK_DOWN', message));
    this.pending.clear();
  }
}
