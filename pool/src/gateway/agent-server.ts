// The uplink listener for agents (TCP, or TLS with a cert and key). Owns what outlives one agent
// connection: the tokens, each agent's extranonce prefix (sticky per agent id, so records mined
// before a reconnect still validate), each agent's credited seqs (replays across reconnects), and the
// JOB body of the current job (encoded once per job, not per agent).
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ShareVerdict } from '@farmhand/core/share';
import type { WorkerName } from '@farmhand/core/stratum';
import { stratumToJobMessage, type JobMessage } from '@farmhand/core/uplink';
import type { Logger } from 'pino';
import { AgentSession } from './agent-session.js';
import { CreditedSeqs } from './credited-seqs.js';
import type { IpBans } from './ip-bans.js';
import type { GatewayJob, WorkBook } from './work-book.js';

/** An agent that has not authenticated by then is dropped (session rule 1). */
const HANDSHAKE_MS = 10_000;
/** Failed logins in a row from one IP before it is banned. */
const MAX_AUTH_FAILURES = 10;

export interface AgentHooks {
  share(
    worker: WorkerName,
    verdict: ShareVerdict,
    difficulty: number,
    job: GatewayJob | undefined,
    extranonce: string,
  ): void;
  connection(account: string, worker: string, ip: string, event: 'connected' | 'disconnected'): void;
}

export interface AgentServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly agents: readonly { readonly id: string; readonly token: string }[];
  readonly difficulty: number;
  readonly versionMask?: number;
  /** Silence after which a connection is dropped (rule 8: 60 s). */
  readonly silenceMs?: number;
  readonly logger: Logger;
}

export class AgentServer {
  readonly log: Logger;
  readonly difficulty: number;
  readonly versionMask: number;
  readonly counters = { authFailures: 0, corruptFrames: 0, replays: 0 };
  readonly #tokens: Map<string, string>;
  readonly #prefixes = new Map<string, string>();
  readonly #credited = new Map<string, CreditedSeqs>();
  readonly #live = new Map<string, AgentSession>();
  readonly #authFailures = new Map<string, number>();
  readonly #sessions = new Set<AgentSession>();
  readonly #server: Server;
  readonly #silenceMs: number;
  #jobCache: { id: string; msg: JobMessage } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextSession = 1;

  constructor(
    readonly opts: AgentServerOptions,
    readonly work: WorkBook,
    readonly bans: IpBans,
    readonly hooks: AgentHooks,
  ) {
    this.log = opts.logger;
    this.difficulty = opts.difficulty;
    this.versionMask = opts.versionMask ?? 0x1fffe000;
    this.#silenceMs = opts.silenceMs ?? 60_000;
    this.#tokens = new Map(opts.agents.map((a) => [a.id, a.token]));
    const onSocket = (s: Socket) => this.#accept(s);
    this.#server = opts.tls
      ? createTlsServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, onSocket)
      : createTcpServer(onSocket);
    this.#server.on('error', (err) => this.log.error({ err: err.message }, 'uplink server error'));
  }

  get sessions(): number {
    return this.#live.size;
  }

  /** Miners behind all connected agents, from their last STATUS. */
  get agentMiners(): number {
    let n = 0;
    for (const s of this.#live.values()) n += s.lastStatus?.miners ?? 0;
    return n;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.opts.port, this.opts.host, () => {
        this.#server.off('error', reject);
        const a = this.#server.address();
        this.#timer = setInterval(() => this.#tick(), 5000);
        this.#timer.unref();
        resolve(typeof a === 'object' && a ? a.port : this.opts.port);
      });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const s of this.#sessions) s.socket.destroy();
    await closed;
  }

  /** Repeated wrong tokens from one IP (guessing) ban it like any other abuse. */
  authFailed(ip: string): void {
    this.counters.authFailures += 1;
    const n = (this.#authFailures.get(ip) ?? 0) + 1;
    if (n < MAX_AUTH_FAILURES) {
      if (this.#authFailures.size > 10_000) this.#authFailures.clear(); // bounded under a spread attack
      this.#authFailures.set(ip, n);
      return;
    }
    this.#authFailures.delete(ip);
    this.bans.ban(ip, Date.now());
    this.log.warn({ ip }, `${MAX_AUTH_FAILURES} failed agent logins in a row; IP banned`);
  }

  authSucceeded(ip: string): void {
    this.#authFailures.delete(ip);
  }

  tokenOf(agentId: string): string | undefined {
    return this.#tokens.get(agentId);
  }

  creditedFor(agentId: string): CreditedSeqs {
    let c = this.#credited.get(agentId);
    if (!c) this.#credited.set(agentId, (c = new CreditedSeqs()));
    return c;
  }

  /** The agent's prefix (kept across its reconnects); an older connection of the same agent is closed. */
  prefixFor(session: AgentSession): string | undefined {
    const old = this.#live.get(session.agentId);
    if (old && old !== session) old.close('the same agent connected again');
    this.#live.set(session.agentId, session);
    let p = this.#prefixes.get(session.agentId);
    if (p === undefined) {
      const a = this.work.space!.allocator.allocate();
      if (!a.ok) return undefined;
      this.#prefixes.set(session.agentId, (p = a.value));
    }
    return p;
  }

  jobMessage(job: GatewayJob): JobMessage {
    if (this.#jobCache?.id !== job.id)
      this.#jobCache = { id: job.id, msg: stratumToJobMessage(job.stratum, this.difficulty) };
    return this.#jobCache.msg;
  }

  broadcast(job: GatewayJob): void {
    for (const s of this.#sessions) {
      if (s.waitingForWork) s.welcome();
      else s.sendJob(job);
    }
  }

  sessionClosed(s: AgentSession): void {
    this.#sessions.delete(s);
    if (this.#live.get(s.agentId) === s) this.#live.delete(s.agentId);
  }

  #accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    if (this.bans.banned(ip, Date.now())) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.#sessions.add(new AgentSession(socket, this, this.#nextSession++));
  }

  #tick(): void {
    const now = Date.now();
    for (const s of this.#sessions) {
      if (now - s.heardAt > this.#silenceMs) s.close(`nothing heard for ${this.#silenceMs / 1000} s`);
      else if (!s.open && !s.waitingForWork && now - s.openedAt > HANDSHAKE_MS)
        s.close('no AUTH within 10 s');
    }
  }
}
