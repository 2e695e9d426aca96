import type { Logger } from 'pino';
import {
  bytesToHex,
  concatBytes,
  hexToBytes,
  rootFromBranch,
  sha256d,
  writeHeader,
} from '@farmhand/core/bitcoin';
import { stratumPrevhashToHeader } from '@farmhand/core/stratum';
import {
  UPLINK_MAX_RECORDS_PER_BATCH,
  jobMessageToStratum,
  rejectReasonOf,
  stratumJobIdToUplink,
  toWireShare,
  type AckMessage,
  type BlockMessage,
  type EventMessage,
  type JobMessage,
  type UplinkMessage,
  type WelcomeMessage,
  type WireShare,
} from '@farmhand/core/uplink';
import type { ShareAck, ShareRecord } from './share-record.js';

// The share side of one uplink session: worker indexes announced by EVENT, records packed into
// SHARES batches, batches in flight until their ACK. Jobs outlive sessions (replayed records refer
// to jobs from before a reconnect), so the job table is passed in.

export class JobTable {
  readonly #jobs = new Map<number, JobMessage>();
  constructor(readonly max = 64) {}
  add(job: JobMessage): void {
    this.#jobs.delete(job.jobId);
    this.#jobs.set(job.jobId, job);
    while (this.#jobs.size > this.max) this.#jobs.delete(this.#jobs.keys().next().value!);
  }
  get(jobId: string): JobMessage | undefined {
    const id = stratumJobIdToUplink(jobId);
    return id === undefined ? undefined : this.#jobs.get(id);
  }
}

export interface PackedBatch {
  readonly messages: UplinkMessage[];
  /** Acks decided locally (never sent: below the job's target, unknown job, unencodable). */
  readonly local: ShareAck[];
}

export class UplinkBatches {
  readonly #welcome: WelcomeMessage;
  readonly #jobs: JobTable;
  readonly #log: Logger;
  readonly #workers = new Map<string, number>();
  /** Seqs queued or in flight on this session; a record submitted twice is sent once. */
  readonly #known = new Set<number>();
  #queue: { record: ShareRecord; wire: WireShare }[] = [];
  readonly #inFlight = new Map<number, number[]>();

  constructor(welcome: WelcomeMessage, jobs: JobTable, log: Logger) {
    this.#welcome = welcome;
    this.#jobs = jobs;
    this.#log = log;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get inFlightBatches(): number {
    return this.#inFlight.size;
  }

  /** The EVENT binding a worker name to its index on this session, when it is new; undefined when all 65536 are taken. */
  workerIndex(name: string): { index: number; announce?: EventMessage } | undefined {
    const known = this.#workers.get(name);
    if (known !== undefined) return { index: known };
    const index = this.#workers.size;
    if (index > 0xffff) return undefined;
    this.#workers.set(name, index);
    return {
      index,
      announce: {
        type: 'event',
        kind: 'authorize',
        worker: index,
        name,
        peer: '',
        at: Math.floor(Date.now() / 1000),
      },
    };
  }

  /** Queues records; returns the messages to send at once (EVENTs, BLOCKs) and local verdicts. */
  add(records: readonly ShareRecord[]): PackedBatch {
    const messages: UplinkMessage[] = [];
    const local: ShareAck[] = [];
    for (const r of records) {
      if (this.#known.has(r.seq)) continue;
      const job = this.#jobs.get(r.jobId);
      if (!job) {
        local.push({
          seq: r.seq,
          accepted: false,
          reason: 'job-not-found',
          message: `job ${r.jobId} is not an uplink job`,
        });
        continue;
      }
      if ((r.shareDifficulty ?? r.difficulty) < job.shareDifficulty) {
        local.push({ seq: r.seq, accepted: false, reason: 'below-upstream-target' });
        continue;
      }
      const mask = this.#welcome.versionMask;
      const version =
        r.versionBits === undefined
          ? undefined
          : (((job.version & ~mask) | (Number.parseInt(r.versionBits, 16) & mask)) >>> 0)
              .toString(16)
              .padStart(8, '0');
      const slot = this.workerIndex(`${r.account}.${r.worker}`);
      if (!slot) {
        local.push({
          seq: r.seq,
          accepted: false,
          reason: 'too-many-workers',
          message: 'more than 65536 workers on one uplink session',
        });
        continue;
      }
      const { index, announce } = slot;
      const wire = toWireShare(
        {
          seq: r.seq,
          jobId: r.jobId,
          worker: index,
          extranonce2: r.extranonce2,
          ntime: r.ntime,
          nonce: r.nonce,
          ...(version ? { version } : {}),
        },
        job,
        this.#welcome.extranonce2Size,
      );
      if (!wire.ok) {
        local.push({
          seq: r.seq,
          accepted: false,
          reason: wire.error.code === 'NTIME_OUT_OF_RANGE' ? 'ntime-out-of-range' : 'bad-share',
          message: wire.error.message,
        });
        continue;
      }
      if (announce) messages.push(announce);
      if (r.block) messages.push(this.#block(r, job, wire.value));
      this.#known.add(r.seq);
      this.#queue.push({ record: r, wire: wire.value });
    }
    return { messages, local };
  }

  #block(r: ShareRecord, job: JobMessage, w: WireShare): BlockMessage {
    const stratum = jobMessageToStratum(job);
    const coinbase = concatBytes(
      job.coinb1,
      this.#welcome.extranoncePrefix,
      hexToBytes(r.extranonce2),
      job.coinb2,
    );
    const root = rootFromBranch(sha256d(coinbase), job.merkleBranch);
    const header = new Uint8Array(80);
    const version = ((job.version & ~0x1fffe000) | (w.versionBits << 13)) >>> 0;
    writeHeader(
      header,
      version,
      stratumPrevhashToHeader(stratum.prevhash),
      root,
      job.ntime + w.ntimeDelta,
      job.nbits,
      w.nonce,
    );
    this.#log.info(
      {
        seq: r.seq,
        job: r.jobId,
        worker: `${r.account}.${r.worker}`,
        coinbase: bytesToHex(coinbase).length / 2,
      },
      'block found, sending at once',
    );
    return { type: 'block', seq: r.seq, jobId: job.jobId, worker: w.worker, header, coinbase };
  }

  /** Drains the queue into SHARES messages (seq order; ≤ maxRecords each; a batch spans < 65536 seqs). */
  drain(maxRecords: number, nextFrameSeq: () => number): { frameSeq: number; message: UplinkMessage }[] {
    this.#queue.sort((a, b) => a.record.seq - b.record.seq);
    const out: { frameSeq: number; message: UplinkMessage }[] = [];
    const limit = Math.min(maxRecords, UPLINK_MAX_RECORDS_PER_BATCH);
    while (this.#queue.length > 0) {
      const base = this.#queue[0]!.record.seq;
      let n = 0;
      while (n < this.#queue.length && n < limit && this.#queue[n]!.record.seq - base <= 0xffff) n++;
      const batch = this.#queue.splice(0, n);
      const frameSeq = nextFrameSeq();
      this.#inFlight.set(
        frameSeq,
        batch.map((b) => b.record.seq),
      );
      out.push({
        frameSeq,
        message: {
          type: 'shares',
          extranonce2Size: this.#welcome.extranonce2Size,
          records: batch.map((b) => b.wire),
        },
      });
    }
    return out;
  }

  /** Turns an ACK into per-record verdicts; undefined when it names no batch of ours. */
  ack(m: AckMessage): ShareAck[] | undefined {
    const seqs = this.#inFlight.get(m.sharesFrameSeq);
    if (!seqs || seqs.length !== m.count) return undefined;
    this.#inFlight.delete(m.sharesFrameSeq);
    const rejected = new Map(m.rejected.map((r) => [r.index, r.code]));
    return seqs.map((seq, i) => {
      this.#known.delete(seq);
      const code = rejected.get(i);
      return code === undefined
        ? { seq, accepted: true }
        : { seq, accepted: false, reason: rejectReasonOf(code) };
    });
  }
}
