import { EventEmitter } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { MinerSession, NotifyLines, type SessionOutput, type SessionShare } from '@farmhand/core/session';
import { ShareValidator, prepareJob } from '@farmhand/core/share';
import {
  ExtranonceAllocator,
  StratumErrorCode,
  encodeError,
  subdivideExtranonce,
  type RequestId,
  type StratumJob,
} from '@farmhand/core/stratum';
import type { Logger } from 'pino';
import { MinerConnection, type ConnectionHandler, type ConnectionLimits } from './miner-connection.js';
import type {
  AuthorizeEvent,
  ConnectEvent,
  DisconnectCode,
  DisconnectEvent,
  MinerSessionInfo,
  ShareEvent,
  StratumServerStats,
} from './server-events.js';
import {
  type ResolvedServerOptions,
  type StratumServerOptions,
  resolveServerOptions,
} from './server-options.js';

// The agent's Stratum V1 server for the farm's miners. Protocol state lives in core's MinerSession;
// this class owns sockets, the shared job set, extranonce allocation and the timers.

export interface DownstreamWork {
  readonly job: StratumJob;
  /** The upstream's extranonce1: the prefix of every miner's extranonce1. */
  readonly extranonce1: string;
  /** The upstream's extranonce2 size; miners get it less the counter bytes. */
  readonly extranonce2Size: number;
}

export type ShareSink = (e: ShareEvent) => Promise<void> | void;

interface Space {
  readonly upstreamExtranonce1: string;
  readonly upstreamExtranonce2Size: number;
  readonly minerExtranonce2Size: number;
  readonly allocator: ExtranonceAllocator;
}

interface Miner {
  readonly conn: MinerConnection;
  session?: MinerSession;
}

export class StratumServer extends EventEmitter implements ConnectionHandler {
  readonly options: ResolvedServerOptions;
  readonly #log: Logger;
  readonly #server: Server;
  readonly #validator: ShareValidator;
  readonly #miners = new Map<string, Miner>();
  readonly #perIp = new Map<string, number>();
  readonly #limits: ConnectionLimits;
  #space: Space | undefined;
  #job: NotifyLines | undefined;
  #lastJobAt = 0;
  #sink: ShareSink | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #suspended: string | undefined;
  readonly #stats: StratumServerStats = {
    connections: 0,
    connectionsTotal: 0,
    refused: 0,
    disconnects: {},
    sharesAccepted: 0,
    acceptedDifficulty: 0,
    sharesRejected: {},
    blocks: 0,
    jobs: 0,
    rebroadcasts: 0,
    messagesIn: 0,
    sinkFailures: 0,
  };

  constructor(options: StratumServerOptions) {
    super();
    this.options = resolveServerOptions(options);
    this.#log = options.logger;
    this.#validator = new ShareValidator(options.validator ?? {});
    this.#limits = {
      maxLineBytes: this.options.maxLineBytes,
      flood: { ratePerSecond: this.options.floodRatePerSecond, burst: this.options.floodBurst },
      maxWriteBufferBytes: this.options.maxWriteBufferBytes,
    };
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.on('error', (err) => this.#log.error({ err }, 'stratum server error'));
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(this.options.port, this.options.host, () => {
        this.#server.off('error', onError);
        const addr = this.#server.address();
        const port = typeof addr === 'object' && addr ? addr.port : this.options.port;
        this.#timer = setInterval(() => this.#tick(Date.now()), this.options.tickMs);
        this.#timer.unref();
        this.#log.info({ host: this.options.host, port }, 'stratum server listening');
        resolve({ port });
      });
    });
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#closeAll('server-close', 'the agent is shutting down');
    for (const m of this.#miners.values()) m.conn.socket.destroy();
    await closed;
  }

  /** Durability hook: awaited for every accepted share before the miner hears `true`. */
  setShareSink(sink: ShareSink | undefined): void {
    this.#sink = sink;
  }

  /** A new job, or a new work space from a (new) upstream: fan-out to every miner. */
  setWork(work: DownstreamWork): void {
    const now = Date.now();
    const spaceChanged =
      !this.#space ||
      this.#space.upstreamExtranonce1 !== work.extranonce1.toLowerCase() ||
      this.#space.upstreamExtranonce2Size !== work.extranonce2Size;
    if (spaceChanged && !this.#setSpace(work)) return;
    // Jobs from another work space are useless: the new job replaces them all.
    const job = spaceChanged && !work.job.cleanJobs ? { ...work.job, cleanJobs: true } : work.job;
    const prepared = prepareJob(job);
    if (!prepared.ok) {
      this.#log.error({ code: prepared.error.code }, prepared.error.message);
      return;
    }
    this.#validator.addJob(prepared.value);
    const lines = new NotifyLines(job);
    this.#job = lines;
    this.#lastJobAt = now;
    this.#stats.jobs += 1;
    // Encoded once: writing one shared Buffer is cheaper than encoding the string per socket.
    const bytes = Buffer.from(lines.line);
    for (const m of this.#miners.values()) {
      if (!m.session) {
        this.#startSession(m, now);
        continue;
      }
      const out = m.session.onWork(lines);
      if (out.lines.length === 1 && out.lines[0] === lines.line && out.events.length === 0)
        m.conn.send([bytes]);
      else void this.#apply(m, out);
    }
  }

  /** Upstream trouble: miners stay connected on the last job (re-sent every rebroadcastMs). */
  suspend(reason: string): void {
    if (this.#suspended !== undefined) return;
    this.#suspended = reason;
    this.#log.warn({ reason }, 'no upstream work; miners keep the last job');
    this.emit('suspend', { reason });
  }

  resume(): void {
    if (this.#suspended === undefined) return;
    this.#suspended = undefined;
    this.emit('resume');
  }

  get suspended(): boolean {
    return this.#suspended !== undefined;
  }

  /** Closes every miner, so their firmware moves to its backup pool. */
  disconnectAll(reason: string): void {
    this.#closeAll('disconnect-all', reason);
  }

  sessions(): MinerSessionInfo[] {
    const now = Date.now();
    const out: MinerSessionInfo[] = [];
    for (const m of this.#miners.values()) {
      const s = m.session?.snapshot(now);
      out.push({
        sessionId: m.conn.id,
        peer: m.conn.peer,
        connectedAt: m.conn.connectedAt,
        subscribed: s?.subscribed ?? false,
        authorized: s?.authorized ?? false,
        versionMask: s?.versionMask ?? 0,
        accepted: s?.accepted ?? 0,
        acceptedDifficulty: s?.acceptedDifficulty ?? 0,
        rejected: s?.rejected ?? {},
        rejectedTotal: s?.rejectedTotal ?? 0,
        hashrate: s?.hashrate ?? 0,
        ...(s
          ? {
              extranonce1: s.extranonce1,
              difficulty: s.difficulty,
              ...(s.userAgent !== undefined ? { userAgent: s.userAgent } : {}),
              ...(s.account !== undefined ? { account: s.account, worker: s.worker } : {}),
              ...(s.lastShareAt !== undefined ? { lastShareAt: s.lastShareAt } : {}),
            }
          : {}),
      });
    }
    return out;
  }

  stats(): Readonly<StratumServerStats> {
    return { ...this.#stats, connections: this.#miners.size };
  }

  // ConnectionHandler

  line(conn: MinerConnection, line: string, now: number): Promise<void> | void {
    const m = this.#miners.get(conn.id);
    if (!m?.session) return;
    this.#stats.messagesIn += 1;
    return this.#apply(m, m.session.receiveLine(line, now));
  }

  closed(conn: MinerConnection, code: DisconnectCode, reason: string): void {
    const m = this.#miners.get(conn.id);
    if (!m) return;
    this.#miners.delete(conn.id);
    const n = (this.#perIp.get(conn.ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(conn.ip);
    else this.#perIp.set(conn.ip, n);
    if (m.session) this.#space?.allocator.release(m.session.extranonce1);
    this.#stats.disconnects[code] = (this.#stats.disconnects[code] ?? 0) + 1;
    const ev: DisconnectEvent = {
      sessionId: conn.id,
      peer: conn.peer,
      code,
      reason,
      ...(m.session?.account !== undefined ? { account: m.session.account, worker: m.session.worker! } : {}),
    };
    const level = code === 'peer-closed' || code === 'server-close' ? 'debug' : 'info';
    this.#log[level]({ sessionId: conn.id, peer: conn.peer, code }, `miner disconnected: ${reason}`);
    this.emit('disconnect', ev);
  }

  #accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.options.maxConnectionsPerIp || this.#miners.size >= this.options.maxConnections) {
      this.#stats.refused += 1;
      const why =
        fromIp >= this.options.maxConnectionsPerIp
          ? `more than ${this.options.maxConnectionsPerIp} connections from ${ip}`
          : `more than ${this.options.maxConnections} connections`;
      this.#log.warn({ peer: ip }, `connection refused: ${why}`);
      socket.on('error', () => undefined);
      socket.end(encodeError(null, StratumErrorCode.Other, `connection refused: ${why}`));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.#perIp.set(ip, fromIp + 1);
    const now = Date.now();
    const id = `m${this.#nextId++}`;
    const conn = new MinerConnection(id, socket, this.#limits, this, now);
    const m: Miner = { conn };
    this.#miners.set(id, m);
    this.#stats.connectionsTotal += 1;
    const ev: ConnectEvent = { sessionId: id, peer: conn.peer };
    this.emit('connect', ev);
    if (this.#space) this.#startSession(m, now);
    else conn.hold(); // until the first work arrives; the miner's subscribe waits in TCP
  }

  #startSession(m: Miner, now: number): void {
    const space = this.#space!;
    const en1 = space.allocator.allocate();
    if (!en1.ok) {
      m.conn.close('extranonce-exhausted', en1.error.message, [
        encodeError(null, StratumErrorCode.Other, 'no extranonce space left on this agent'),
      ]);
      return;
    }
    m.session = new MinerSession({
      id: m.conn.id,
      extranonce1: en1.value,
      extranonce2Size: space.minerExtranonce2Size,
      validator: this.#validator,
      vardiff: this.options.vardiff,
      startDifficulty: this.options.startDifficulty,
      versionMask: this.options.versionMask,
      ...(this.options.invalidShares ? { invalidShares: this.options.invalidShares } : {}),
      ...(this.#job ? { currentJob: this.#job } : {}),
      now,
    });
    m.conn.release();
  }

  /** A new upstream work space: a fresh allocator; live miners get new extranonce1 values. */
  #setSpace(work: DownstreamWork): boolean {
    const counterBytes = this.options.extranonceCounterBytes;
    const sub = subdivideExtranonce(work, counterBytes, this.options.minMinerExtranonce2Size);
    if (!sub.ok) {
      this.#log.error({ code: sub.error.code }, sub.error.message);
      return false;
    }
    const allocator = new ExtranonceAllocator({ counterBytes, prefix: sub.value.prefix });
    this.#space = {
      upstreamExtranonce1: sub.value.prefix,
      upstreamExtranonce2Size: work.extranonce2Size,
      minerExtranonce2Size: sub.value.extranonce2Size,
      allocator,
    };
    this.#log.info(
      { prefix: sub.value.prefix, minerExtranonce2Size: sub.value.extranonce2Size },
      'new extranonce space',
    );
    for (const m of this.#miners.values()) {
      if (!m.session) continue;
      const en1 = allocator.allocate();
      if (!en1.ok) {
        m.conn.close('extranonce-exhausted', en1.error.message);
        continue;
      }
      void this.#apply(m, m.session.setExtranonce(en1.value, sub.value.extranonce2Size));
    }
    return true;
  }

  /** Emits a session's events and writes its lines; accepted shares reach the sink first. */
  #apply(m: Miner, out: SessionOutput): Promise<void> | void {
    let pending: Promise<void> | undefined;
    for (const e of out.events) {
      if (e.type === 'share') {
        const ev = this.#shareEvent(m, e.share);
        if (e.share.verdict.kind === 'accepted' && this.#sink)
          pending = this.#store(ev, e.share.requestId, out);
        else this.#emitShare(ev);
      } else if (e.type === 'authorized') {
        const ev: AuthorizeEvent = {
          sessionId: m.conn.id,
          account: e.account,
          worker: e.worker,
          peer: m.conn.peer,
        };
        this.#log.debug(ev, 'miner authorized');
        this.emit('authorize', ev);
      } else if (e.type === 'difficulty') {
        this.emit('difficulty', { sessionId: m.conn.id, difficulty: e.difficulty, previous: e.previous });
      }
    }
    const finish = () => {
      const close = out.events.find((e) => e.type === 'close');
      if (close?.type === 'close') m.conn.close(close.code, close.reason, out.lines);
      else m.conn.send(out.lines);
    };
    if (!pending) return finish();
    return pending.then(finish);
  }

  async #store(ev: ShareEvent, requestId: RequestId | null, out: SessionOutput): Promise<void> {
    try {
      await this.#sink!(ev);
    } catch (err) {
      // Not durable, so not acknowledged: the miner hears an error (the submit reply is lines[0]) and
      // no 'share' event fires; nothing is counted for a share that may not exist after a crash.
      this.#stats.sinkFailures += 1;
      this.#log.error({ err, sessionId: ev.sessionId }, 'share could not be stored');
      out.lines[0] = encodeError(requestId, StratumErrorCode.Other, 'share could not be stored by the agent');
      return;
    }
    this.#emitShare(ev);
  }

  #emitShare(ev: ShareEvent): void {
    if (ev.verdict.kind === 'accepted') {
      this.#stats.sharesAccepted += 1;
      this.#stats.acceptedDifficulty += ev.difficulty;
      if (ev.verdict.block) this.#stats.blocks += 1;
    } else {
      const r = ev.verdict.reason;
      this.#stats.sharesRejected[r] = (this.#stats.sharesRejected[r] ?? 0) + 1;
    }
    this.emit('share', ev);
  }

  #shareEvent(m: Miner, s: SessionShare): ShareEvent {
    return {
      sessionId: m.conn.id,
      account: s.account,
      worker: s.worker,
      peer: m.conn.peer,
      jobId: s.jobId,
      extranonce1: m.session!.extranonce1,
      extranonce2: s.extranonce2,
      ntime: s.ntime,
      nonce: s.nonce,
      ...(s.versionBits !== undefined ? { versionBits: s.versionBits } : {}),
      verdict: s.verdict,
      difficulty: s.difficulty,
      at: s.at,
    };
  }

  #tick(now: number): void {
    const rebroadcast = this.#job !== undefined && now - this.#lastJobAt >= this.options.rebroadcastMs;
    if (rebroadcast) {
      this.#lastJobAt = now;
      this.#stats.rebroadcasts += 1;
    }
    for (const m of this.#miners.values()) {
      if (m.conn.closing) continue;
      if (now - m.conn.lastInboundAt > this.options.idleTimeoutMs) {
        m.conn.close('idle', `nothing received for ${Math.round(this.options.idleTimeoutMs / 1000)} s`);
        continue;
      }
      if (!m.session) continue;
      void this.#apply(m, m.session.tick(now));
      if (rebroadcast) void this.#apply(m, m.session.resendJob());
    }
  }

  #closeAll(code: DisconnectCode, reason: string): void {
    for (const m of [...this.#miners.values()]) m.conn.close(code, reason);
  }
}
