import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  BIP320_VERSION_MASK,
  LineDecoder,
  StratumErrorCode,
  encodeAuthorize,
  encodeConfigure,
  encodeExtranonceSubscribe,
  encodeSubmit,
  encodeSubscribe,
  isAccepted,
  parseConfigureResult,
  parseMessage,
  parseSubscribeResult,
  toServerMessage,
  type StratumJob,
  type StratumResponse,
} from '@farmhand/core/stratum';
import { Backoff } from './backoff.js';
import type { ShareAck, ShareRecord } from './share-record.js';
import type { Upstream, UpstreamState, UpstreamWork } from './upstream.js';
import type { StratumUrl } from './upstream-url.js';

// A plain Stratum V1 client to any pool: the whole farm as one connection. The pool's extranonce2
// space is split by the agent (contracts: extranonce model); records carry the full extranonce2.
// Only shares that meet the pool's difficulty are forwarded; the rest are acknowledged locally
// ('below-upstream-target') so the store can let them go.

export interface StratumUpstreamOptions {
  readonly name: string;
  readonly url: StratumUrl;
  readonly logger: Logger;
  readonly userAgent?: string;
  readonly backoff?: Backoff;
  /** No line from the pool for this long: reconnect. Default 180 s (pools notify every ~30-60 s). */
  readonly idleTimeoutMs?: number;
}

const ID_CONFIGURE = 1;
const ID_SUBSCRIBE = 2;
const ID_AUTHORIZE = 3;
const ID_EXTRANONCE = 4;
const FIRST_SUBMIT_ID = 100;

const REASONS: Record<number, string> = {
  [StratumErrorCode.JobNotFound]: 'job-not-found',
  [StratumErrorCode.DuplicateShare]: 'duplicate',
  [StratumErrorCode.LowDifficultyShare]: 'low-difficulty',
  [StratumErrorCode.UnauthorizedWorker]: 'unauthorized',
  [StratumErrorCode.NotSubscribed]: 'not-subscribed',
};

export class StratumUpstream extends EventEmitter implements Upstream {
  readonly name: string;
  readonly kind = 'stratum' as const;
  readonly #url: StratumUrl;
  readonly #log: Logger;
  readonly #userAgent: string;
  readonly #backoff: Backoff;
  readonly #idleMs: number;
  #socket: Socket | null = null;
  #closed = true;
  #timer: NodeJS.Timeout | null = null;
  #idle: NodeJS.Timeout | null = null;
  #authorized = false;
  #extranonce1 = '';
  #extranonce2Size = 0;
  #difficulty = 1;
  #versionMask = 0;
  #job: StratumJob | null = null;
  readonly #jobDifficulty = new Map<string, number>();
  #nextId = FIRST_SUBMIT_ID;
  readonly #inFlight = new Map<number, { seq: number; sentAt: number }>();
  /** Per-worker names authorized on this connection (`<url user>.<miner's worker>`). */
  readonly #workers = new Set<string>();
  readonly #inFlightSeqs = new Set<number>();
  #latencyMs: number | undefined;
  #upEmitted = false;
  #lastError: string | undefined;

  constructor(options: StratumUpstreamOptions) {
    super();
    this.name = options.name;
    this.#url = options.url;
    this.#log = options.logger.child({ upstream: options.name });
    this.#userAgent = options.userAgent ?? 'farmhand/0.1.0';
    this.#backoff = options.backoff ?? new Backoff();
    this.#idleMs = options.idleTimeoutMs ?? 180_000;
  }

  state(): UpstreamState {
    return {
      connected: this.#authorized && this.#job !== null,
      ...(this.#latencyMs === undefined ? {} : { latencyMs: this.#latencyMs }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** The pool's current share difficulty. */
  get difficulty(): number {
    return this.#difficulty;
  }

  connect(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const s = this.#socket;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  #open(): void {
    const { host, port } = this.#url;
    this.#log.info({ url: this.#url.display }, 'connecting to pool');
    const socket = connect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    const lines = new LineDecoder({ maxLineBytes: 256 * 1024 });
    let reason = 'connection closed by the pool';
    socket.on('connect', () => {
      this.#touch();
      const mask = BIP320_VERSION_MASK;
      socket.write(
        encodeConfigure(ID_CONFIGURE, { versionRolling: { mask, minBitCount: 2 } }) +
          encodeSubscribe(ID_SUBSCRIBE, this.#userAgent) +
          encodeAuthorize(ID_AUTHORIZE, this.#url.user, this.#url.password),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      this.#touch();
      for (const line of lines.push(chunk)) {
        if (!line.ok) {
          reason = `pool sent an oversized line: ${line.error.message}`;
          socket.destroy();
          return;
        }
        if (line.value.trim() === '') continue;
        const why = this.#onLine(line.value);
        if (why) {
          reason = why;
          this.#log.error({ reason }, 'closing the pool connection');
          socket.destroy();
          return;
        }
      }
    });
    socket.on('error', (e) => {
      reason = `${e.message}`;
    });
    socket.on('close', () => this.#onClose(reason));
  }

  #touch(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.#log.warn({ ms: this.#idleMs }, 'pool silent, reconnecting');
      this.#socket?.destroy();
    }, this.#idleMs);
    this.#idle.unref();
  }

  #onClose(reason: string): void {
    if (this.#idle) clearTimeout(this.#idle);
    const wasUp = this.#upEmitted;
    this.#upEmitted = false;
    this.#socket = null;
    this.#authorized = false;
    this.#job = null;
    this.#inFlight.clear();
    this.#workers.clear();
    this.#inFlightSeqs.clear();
    if (!this.#closed || wasUp) this.#lastError = reason;
    if (wasUp) this.emit('down', reason);
    if (this.#closed) return;
    const delay = this.#backoff.next();
    this.#log.warn({ reason, retryMs: delay }, 'pool connection lost');
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closed) this.#open();
    }, delay);
  }

  /** Handles one line; returns a reason to close the connection, or undefined. */
  #onLine(text: string): string | undefined {
    const parsed = parseMessage(text);
    if (!parsed.ok) return `pool sent malformed JSON-RPC: ${parsed.error.message}`;
    const m = parsed.value;
    if (m.kind === 'response') return this.#onResponse(m);
    const typed = toServerMessage(m);
    if (!typed.ok) return `pool sent a malformed ${m.method}: ${typed.error.message}`;
    const msg = typed.value;
    switch (msg.kind) {
      case 'mining.set_difficulty':
        this.#difficulty = msg.difficulty;
        return undefined;
      case 'mining.notify':
        this.#jobDifficulty.set(msg.job.jobId, this.#difficulty);
        if (this.#jobDifficulty.size > 64)
          this.#jobDifficulty.delete(this.#jobDifficulty.keys().next().value!);
        this.#job = msg.job;
        this.#emitWork();
        return undefined;
      case 'mining.set_extranonce':
        this.#extranonce1 = msg.extranonce1;
        this.#extranonce2Size = msg.extranonce2Size;
        if (this.#job) this.#emitWork({ ...this.#job, cleanJobs: true });
        return undefined;
      case 'mining.set_version_mask':
        this.#versionMask = msg.mask;
        return undefined;
      default:
        this.#log.debug({ method: msg.method }, 'ignoring unknown pool message');
        return undefined;
    }
  }

  #emitWork(job = this.#job): void {
    if (!job || !this.#authorized || this.#extranonce2Size === 0) return;
    const first = !this.#upEmitted;
    const work: UpstreamWork = {
      job,
      extranonce1: this.#extranonce1,
      extranonce2Size: this.#extranonce2Size,
      difficulty: this.#difficulty,
      versionMask: this.#versionMask,
    };
    if (first) {
      this.#upEmitted = true;
      this.#backoff.reset();
      this.#lastError = undefined;
      this.emit('up');
    }
    this.emit('work', work);
  }
  #onResponse(r: StratumResponse): string | undefined {
    const id = typeof r.id === 'number' ? r.id : -1;
    switch (id) {
      case ID_CONFIGURE: {
        const c = r.error ? undefined : parseConfigureResult(r.result);
        this.#versionMask = c?.ok && c.value.versionRolling?.accepted ? c.value.versionRolling.mask : 0;
        return undefined;
      }
      case ID_SUBSCRIBE: {
        if (r.error) return `pool refused mining.subscribe: ${r.error.message}`;
        const s = parseSubscribeResult(r.result);
        if (!s.ok) return `pool sent a malformed subscribe result: ${s.error.message}`;
        this.#extranonce1 = s.value.extranonce1;
        this.#extranonce2Size = s.value.extranonce2Size;
        this.#socket?.write(encodeExtranonceSubscribe(ID_EXTRANONCE));
        return undefined;
      }
      case ID_AUTHORIZE:
        if (!isAccepted(r)) {
          const why = `pool refused authorization of ${this.#url.user}: ${r.error?.message ?? 'result false'}`;
          this.#backoff.max();
          return why;
        }
        this.#authorized = true;
        this.#upEmitted = false;
        this.#emitWork();
        return undefined;
      case ID_EXTRANONCE:
        return undefined; // many pools do not support it; an error is fine
      default:
        this.#onSubmitResponse(id, r);
        return undefined;
    }
  }

  #onSubmitResponse(id: number, r: StratumResponse): void {
    const sent = this.#inFlight.get(id);
    if (!sent) return;
    this.#inFlight.delete(id);
    this.#inFlightSeqs.delete(sent.seq);
    this.#latencyMs = Date.now() - sent.sentAt;
    const ack: ShareAck = isAccepted(r)
      ? { seq: sent.seq, accepted: true }
      : {
          seq: sent.seq,
          accepted: false,
          reason: (r.error?.code != null ? REASONS[r.error.code] : undefined) ?? r.rejectReason ?? 'rejected',
          message: r.error?.message ?? 'result false',
        };
    this.emit('ack', [ack]);
  }

  submitShares(records: readonly ShareRecord[]): void {
    const socket = this.#socket;
    if (!socket || !this.state().connected) return;
    const local: ShareAck[] = [];
    let out = '';
    for (const r of records) {
      if (this.#inFlightSeqs.has(r.seq)) continue;
      const need = this.#jobDifficulty.get(r.jobId) ?? this.#difficulty;
      if ((r.shareDifficulty ?? r.difficulty) < need) {
        local.push({ seq: r.seq, accepted: false, reason: 'below-upstream-target' });
        continue;
      }
      if (r.extranonce2.length !== this.#extranonce2Size * 2) {
        local.push({
          seq: r.seq,
          accepted: false,
          reason: 'bad-extranonce2',
          message: `extranonce2 of ${r.extranonce2.length / 2} bytes; the pool's size is ${this.#extranonce2Size}`,
        });
        continue;
      }
      // The URL's user is the account; each miner is credited as its worker under it (user.worker),
      // authorized on first use. A user that already names a worker (has a dot) takes every share.
      const worker = this.#url.user.includes('.') ? this.#url.user : `${this.#url.user}.${r.worker}`;
      if (!this.#workers.has(worker)) {
        this.#workers.add(worker);
        out += encodeAuthorize(this.#nextId++, worker, this.#url.password);
      }
      const id = this.#nextId++;
      this.#inFlight.set(id, { seq: r.seq, sentAt: Date.now() });
      this.#inFlightSeqs.add(r.seq);
      out += encodeSubmit(id, {
        worker,
        jobId: r.jobId,
        extranonce2: r.extranonce2,
        ntime: r.ntime,
        nonce: r.nonce,
        ...(r.versionBits !== undefined && this.#versionMask !== 0 ? { versionBits: r.versionBits } : {}),
      });
    }
    if (out) socket.write(out);
    if (local.length > 0) this.emit('ack', local);
  }
}
