// The gateway's Stratum V1 server for direct miners. Protocol state is core's MinerSession; this owns
// the sockets: line framing with a size bound, the flood guard, per-IP limits, bans, idle and slow
// readers, job fan-out (one shared notify line per job) and the 55 s re-notify.
import { createServer, type Server, type Socket } from 'node:net';
import {
  FloodGuard,
  JSON_RPC_INVALID_REQUEST,
  JSON_RPC_PARSE_ERROR,
  MinerSession,
  type SessionOutput,
  type SessionShare,
} from '@farmhand/core/session';
import { LineDecoder, StratumErrorCode, encodeError } from '@farmhand/core/stratum';
import type { VardiffConfig } from '@farmhand/core/vardiff';
import type { Logger } from 'pino';
import type { IpBans } from './ip-bans.js';
import type { GatewayJob, WorkBook } from './work-book.js';

export interface MinerServerOptions {
  readonly host: string;
  readonly port: number;
  readonly vardiff: VardiffConfig;
  readonly startDifficulty: number;
  readonly maxLineBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly flood: { readonly ratePerSecond: number; readonly burst: number };
  readonly maxMalformedLines: number;
  readonly idleTimeoutMs: number;
  readonly rebroadcastMs: number;
  readonly maxWriteBufferBytes?: number;
  readonly logger: Logger;
}

export interface MinerHooks {
  share(s: SessionShare, miner: { readonly extranonce1: string; readonly peer: string }): void;
  authorized(account: string, worker: string, peer: string): void;
  disconnected(account: string, worker: string, peer: string): void;
  refused(reason: 'banned' | 'limit'): void;
  banned(ip: string, reason: string): void;
}

interface Miner {
  readonly id: string;
  readonly socket: Socket;
  readonly ip: string;
  readonly peer: string;
  readonly decoder: LineDecoder;
  readonly flood: FloodGuard;
  session?: MinerSession;
  lastInboundAt: number;
  malformed: number;
  closing: boolean;
}

const CLOSE_GRACE_MS = 2000;

export class MinerServer {
  readonly #opts: MinerServerOptions;
  readonly #log: Logger;
  readonly #server: Server;
  readonly #miners = new Map<string, Miner>();
  readonly #perIp = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #lastJobAt = 0;
  #nextId = 1;

  constructor(
    opts: MinerServerOptions,
    readonly work: WorkBook,
    readonly bans: IpBans,
    readonly hooks: MinerHooks,
  ) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.#server = createServer((s) => this.#accept(s));
    this.#server.on('error', (err) => this.#log.error({ err: err.message }, 'stratum server error'));
  }

  get connections(): number {
    return this.#miners.size;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        this.#server.off('error', reject);
        const a = this.#server.address();
        this.#timer = setInterval(() => this.#tick(Date.now()), 1000);
        this.#timer.unref();
        resolve(typeof a === 'object' && a ? a.port : this.#opts.port);
      });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const m of this.#miners.values()) m.socket.destroy();
    await closed;
  }

  /** A new job: one notify line shared by every authorized miner. */
  broadcast(job: GatewayJob): void {
    this.#lastJobAt = Date.now();
    for (const m of this.#miners.values()) {
      if (m.closing) continue;
      if (!m.session) this.#start(m, Date.now());
      else this.#apply(m, m.session.onWork(job.notify));
    }
  }

  #accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    socket.on('error', () => undefined);
    if (this.bans.banned(ip, now)) {
      this.hooks.refused('banned');
      socket.destroy();
      return;
    }
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#opts.maxConnectionsPerIp || this.#miners.size >= this.#opts.maxConnections) {
      this.hooks.refused('limit');
      const why =
        fromIp >= this.#opts.maxConnectionsPerIp
          ? `more than ${this.#opts.maxConnectionsPerIp} connections from ${ip}`
          : 'gateway full';
      socket.end(encodeError(null, StratumErrorCode.Other, `connection refused: ${why}`));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.#perIp.set(ip, fromIp + 1);
    const m: Miner = {
      id: `g${this.#nextId++}`,
      socket,
      ip,
      peer: `${ip}:${socket.remotePort ?? 0}`,
      decoder: new LineDecoder({ maxLineBytes: this.#opts.maxLineBytes }),
      flood: new FloodGuard(this.#opts.flood, now),
      lastInboundAt: now,
      malformed: 0,
      closing: false,
    };
    this.#miners.set(m.id, m);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.#data(m, chunk));
    socket.on('close', () => this.#closed(m));
    if (this.work.space) this.#start(m, now);
    else socket.pause(); // no job yet: the subscribe waits in TCP
  }

  #start(m: Miner, now: number): void {
    const space = this.work.space!;
    const en1 = space.allocator.allocate();
    if (!en1.ok) {
      this.#close(m, en1.error.message, [
        encodeError(null, StratumErrorCode.Other, 'no extranonce space left'),
      ]);
      return;
    }
    m.session = new MinerSession({
      id: m.id,
      extranonce1: en1.value,
      extranonce2Size: space.extranonce2Size,
      validator: this.work.validator,
      vardiff: this.#opts.vardiff,
      startDifficulty: this.#opts.startDifficulty,
      ...(this.work.current ? { currentJob: this.work.current.notify } : {}),
      now,
    });
    m.socket.resume();
  }

  #data(m: Miner, chunk: Buffer): void {
    if (m.closing) return;
    const now = Date.now();
    for (const r of m.decoder.push(chunk)) {
      if (!r.ok) return this.#abuse(m, `line too long: ${r.error.message}`, now);
      m.lastInboundAt = now;
      if (!m.flood.take(now))
        return this.#abuse(m, `more than ${this.#opts.flood.ratePerSecond} messages per second`, now);
      if (!m.session) continue;
      const out = m.session.receiveLine(r.value, now);
      if (isMalformedReply(out) && ++m.malformed >= this.#opts.maxMalformedLines)
        return this.#abuse(m, `${m.malformed} malformed lines`, now);
      this.#apply(m, out);
      if (m.closing) return;
    }
  }

  #apply(m: Miner, out: SessionOutput): void {
    let close: { code: string; reason: string } | undefined;
    for (const e of out.events) {
      if (e.type === 'share')
        this.hooks.share(e.share, { extranonce1: m.session!.extranonce1, peer: m.peer });
      else if (e.type === 'authorized') this.hooks.authorized(e.account, e.worker, m.ip);
      else if (e.type === 'close') close = e;
    }
    if (close !== undefined) {
      // Mostly-invalid shares are abuse (or a broken miner hammering us): ban. Other closes are not.
      if (close.code === 'invalid-shares') return this.#abuse(m, close.reason, Date.now(), out.lines);
      this.#close(m, `${close.code}: ${close.reason}`, out.lines);
      return;
    }
    this.#send(m, out.lines);
  }

  #abuse(m: Miner, reason: string, now: number, lastLines?: readonly string[]): void {
    this.bans.ban(m.ip, now);
    this.hooks.banned(m.ip, reason);
    this.#log.warn({ peer: m.peer, reason }, 'abusive client closed and banned');
    this.#close(m, reason, lastLines ?? [encodeError(null, StratumErrorCode.Other, reason)]);
  }

  #send(m: Miner, lines: readonly string[]): void {
    if (m.closing || m.socket.destroyed || lines.length === 0) return;
    m.socket.write(lines.length === 1 ? lines[0]! : lines.join(''));
    if (m.socket.writableLength > (this.#opts.maxWriteBufferBytes ?? 1024 * 1024)) {
      m.closing = true;
      m.socket.destroy();
    }
  }

  #close(m: Miner, reason: string, lastLines: readonly string[]): void {
    if (m.closing) return;
    this.#send(m, lastLines);
    m.closing = true;
    this.#log.debug({ peer: m.peer, reason }, 'closing miner');
    m.socket.pause();
    m.socket.end();
    setTimeout(() => m.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  #closed(m: Miner): void {
    if (!this.#miners.delete(m.id)) return;
    const n = (this.#perIp.get(m.ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(m.ip);
    else this.#perIp.set(m.ip, n);
    const s = m.session;
    if (s) {
      this.work.space?.allocator.release(s.extranonce1);
      if (s.account !== undefined) this.hooks.disconnected(s.account, s.worker!, m.ip);
    }
  }

  #tick(now: number): void {
    const renotify = this.work.current !== undefined && now - this.#lastJobAt >= this.#opts.rebroadcastMs;
    if (renotify) this.#lastJobAt = now;
    for (const m of this.#miners.values()) {
      if (m.closing) continue;
      if (now - m.lastInboundAt > this.#opts.idleTimeoutMs) {
        this.#close(m, 'idle', []);
        continue;
      }
      if (!m.session) continue;
      this.#apply(m, m.session.tick(now));
      if (renotify) this.#apply(m, m.session.resendJob());
    }
  }
}

const PARSE_ERROR = `"error":[${JSON_RPC_PARSE_ERROR},`;
const INVALID_REQUEST = `"error":[${JSON_RPC_INVALID_REQUEST},`;

/** The session answered a line that was not JSON or not a request at all. */
function isMalformedReply(out: SessionOutput): boolean {
  const first = out.lines[0];
  return (
    out.events.length === 0 &&
    first !== undefined &&
    (first.includes(PARSE_ERROR) || first.includes(INVALID_REQUEST))
  );
}
