import { hexToBytes } from '../bitcoin/index.js';
import type { ShareValidator } from '../share/index.js';
import {
  BIP320_VERSION_MASK,
  JsonRpcErrorCode,
  StratumErrorCode,
  encodeConfigureResult,
  encodeError,
  encodeResult,
  encodeSetDifficulty,
  encodeSetExtranonce,
  encodeSubscribeResult,
  negotiateVersionMask,
  parseMessage,
  parseWorkerName,
  toClientRequest,
  type ClientRequest,
  type ConfigureReply,
  type MiningAuthorize,
  type MiningConfigure,
  type MiningSubmit,
  type WorkerName,
} from '../stratum/index.js';
import { Vardiff, clampDifficulty, type VardiffConfig } from '../vardiff/index.js';
import {
  DEFAULT_INVALID_SHARE_GUARD,
  InvalidShareGuard,
  type InvalidShareGuardOptions,
} from './invalid-share-guard.js';
import type { NotifyLines } from './notify-lines.js';
import { parsePasswordOptions } from './password-options.js';
import {
  type SessionCloseCode,
  type SessionEvent,
  type SessionOutput,
  emptyOutput,
} from './session-output.js';
import { SessionStats } from './session-stats.js';

// One miner connection's Stratum V1 state machine, shared by the agent's downstream server and the
// pool's gateway. Pure: input is a line or a typed request plus the time; output is lines and events.
// Jobs live in one ShareValidator shared by every session (the jobs are the same for all miners and
// duplicates are keyed by extranonce1), so a new job costs one prepareJob, not one per miner.

/** JSON-RPC 2.0 codes for lines we cannot dispatch at all. */
export const JSON_RPC_PARSE_ERROR = -32700;
export const JSON_RPC_INVALID_REQUEST = -32600;

/** Reasons a submit is refused before the validator sees it; stats labels beside RejectReason. */
export type SessionRejectReason = 'not-subscribed' | 'unauthorized' | 'malformed';

export interface MinerSessionOptions {
  readonly id: string;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  readonly validator: ShareValidator;
  readonly vardiff: VardiffConfig;
  readonly startDifficulty: number;
  /** Version bits the server lets miners roll (BIP310). Default the BIP320 mask 1fffe000. */
  readonly versionMask?: number;
  readonly invalidShares?: InvalidShareGuardOptions;
  /** The job to send on authorize, when the server already has one. */
  readonly currentJob?: NotifyLines;
  readonly now: number;
}

export interface MinerSessionSnapshot {
  readonly id: string;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  readonly userAgent?: string;
  readonly account?: string;
  readonly worker?: string;
  readonly subscribed: boolean;
  readonly authorized: boolean;
  readonly extranonceSubscribed: boolean;
  readonly versionMask: number;
  readonly difficulty: number;
  readonly fixedDifficulty: boolean;
  readonly connectedAt: number;
  readonly accepted: number;
  readonly acceptedDifficulty: number;
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  readonly blocks: number;
  readonly lastShareAt?: number;
  /** Hashes per second estimated from accepted difficulty over the last 10 minutes. */
  readonly hashrate: number;
}

export class MinerSession {
  readonly id: string;
  readonly stats: SessionStats;
  #extranonce1: string;
  #extranonce1Bytes: Uint8Array;
  #extranonce2Size: number;
  readonly #validator: ShareValidator;
  readonly #serverMask: number;
  readonly #guard: InvalidShareGuard;
  #vardiff: Vardiff;
  #fixedDifficulty = false;
  #subscribed = false;
  #extranonceSubscribed = false;
  #userAgent: string | undefined;
  #versionMask = 0;
  /** Users authorized on this connection (some proxies authorize several), raw name → parsed. */
  readonly #users = new Map<string, WorkerName>();
  #primary: WorkerName | undefined;
  #job: NotifyLines | undefined;
  #closed = false;

  constructor(options: MinerSessionOptions) {
    this.id = options.id;
    this.#extranonce1 = options.extranonce1.toLowerCase();
    this.#extranonce1Bytes = hexToBytes(this.#extranonce1);
    this.#extranonce2Size = options.extranonce2Size;
    this.#validator = options.validator;
    this.#serverMask = options.versionMask ?? BIP320_VERSION_MASK;
    this.#guard = new InvalidShareGuard(options.invalidShares ?? DEFAULT_INVALID_SHARE_GUARD);
    this.#vardiff = new Vardiff(options.vardiff, options.startDifficulty, options.now);
    this.#job = options.currentJob;
    this.stats = new SessionStats(options.now);
  }

  get extranonce1(): string {
    return this.#extranonce1;
  }
  get extranonce2Size(): number {
    return this.#extranonce2Size;
  }
  get difficulty(): number {
    return this.#vardiff.difficulty;
  }
  get subscribed(): boolean {
    return this.#subscribed;
  }
  get authorized(): boolean {
    return this.#primary !== undefined;
  }
  get userAgent(): string | undefined {
    return this.#userAgent;
  }
  get account(): string | undefined {
    return this.#primary?.account;
  }
  get worker(): string | undefined {
    return this.#primary?.worker;
  }
  get versionMask(): number {
    return this.#versionMask;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** One line from the miner (without its newline): parsed, typed and handled. */
  receiveLine(line: string, now: number): SessionOutput {
    const msg = parseMessage(line);
    if (!msg.ok) {
      const code = msg.error.code === 'BAD_JSON' ? JSON_RPC_PARSE_ERROR : JSON_RPC_INVALID_REQUEST;
      return { lines: [encodeError(null, code, msg.error.message)], events: [] };
    }
    // Replies to our own requests (none are sent today) and stray responses are ignored.
    if (msg.value.kind === 'response') return emptyOutput();
    const req = toClientRequest(msg.value);
    if (!req.ok) {
      const out = emptyOutput();
      if (msg.value.method === 'mining.submit') {
        out.lines.push(encodeError(msg.value.id, StratumErrorCode.Other, req.error.message));
        this.#countInvalid(out, 'malformed', now);
      } else {
        out.lines.push(encodeError(msg.value.id, JsonRpcErrorCode.InvalidParams, req.error.message));
      }
      return out;
    }
    return this.handle(req.value, now);
  }

  /** A typed request from the miner. For a submit, the reply to the miner is always lines[0]. */
  handle(req: ClientRequest, now: number): SessionOutput {
    switch (req.kind) {
      case 'mining.subscribe':
        this.#subscribed = true;
        if (req.userAgent !== undefined) this.#userAgent = req.userAgent.slice(0, 64);
        return {
          lines: [
            encodeSubscribeResult(req.id, {
              extranonce1: this.#extranonce1,
              extranonce2Size: this.#extranonce2Size,
            }),
          ],
          events: [
            { type: 'subscribed', ...(this.#userAgent !== undefined ? { userAgent: this.#userAgent } : {}) },
          ],
        };
      case 'mining.configure':
        return this.#configure(req, now);
      case 'mining.authorize':
        return this.#authorize(req, now);
      case 'mining.suggest_difficulty': {
        const out: SessionOutput = { lines: [encodeResult(req.id, true)], events: [] };
        // A fixed d=N password wins over a suggestion.
        if (!this.#fixedDifficulty) this.#applyDifficulty(this.#vardiff.suggest(req.difficulty, now), out);
        return out;
      }
      case 'mining.extranonce.subscribe':
        this.#extranonceSubscribed = true;
        return { lines: [encodeResult(req.id, true)], events: [] };
      case 'mining.get_transactions':
        return { lines: [encodeResult(req.id, [])], events: [] };
      case 'mining.submit':
        return this.#submit(req, now);
      case 'unknown':
        // Vendor extensions (e.g. mining.ping, client.get_version replies): answer, never hang up.
        if (req.id === null) return emptyOutput();
        return {
          lines: [
            encodeError(req.id, JsonRpcErrorCode.MethodNotFound, `method ${req.method} is not supported`),
          ],
          events: [],
        };
    }
  }

  /** A new job for every miner: the shared notify line, sent once the miner is authorized. */
  onWork(job: NotifyLines): SessionOutput {
    this.#job = job;
    return { lines: this.authorized && !this.#closed ? [job.line] : [], events: [] };
  }

  /** The current job again, not clean: keeps firmware from deciding the pool went silent. */
  resendJob(): SessionOutput {
    return { lines: this.authorized && this.#job && !this.#closed ? [this.#job.get(false)] : [], events: [] };
  }

  /** Periodic vardiff check for miners whose shares stopped. */
  tick(now: number): SessionOutput {
    const out = emptyOutput();
    this.#applyDifficulty(this.#vardiff.tick(now), out);
    return out;
  }

  /**
   * The upstream work space changed: a new extranonce1 for this miner. Miners that subscribed to
   * extranonce changes get set_extranonce; the others must reconnect to learn it.
   */
  setExtranonce(extranonce1: string, extranonce2Size: number): SessionOutput {
    this.#extranonce1 = extranonce1.toLowerCase();
    this.#extranonce1Bytes = hexToBytes(this.#extranonce1);
    this.#extranonce2Size = extranonce2Size;
    if (!this.#subscribed) return emptyOutput();
    if (this.#extranonceSubscribed) {
      return { lines: [encodeSetExtranonce(this.#extranonce1, extranonce2Size)], events: [] };
    }
    return this.#close(
      emptyOutput(),
      'extranonce-changed',
      'the extranonce space changed and the miner did not subscribe to extranonce changes; it must reconnect',
    );
  }

  snapshot(now: number): MinerSessionSnapshot {
    const rejected: Record<string, number> = {};
    for (const [k, v] of this.stats.rejected) rejected[k] = v;
    return {
      id: this.id,
      extranonce1: this.#extranonce1,
      extranonce2Size: this.#extranonce2Size,
      ...(this.#userAgent !== undefined ? { userAgent: this.#userAgent } : {}),
      ...(this.#primary ? { account: this.#primary.account, worker: this.#primary.worker } : {}),
      subscribed: this.#subscribed,
      authorized: this.authorized,
      extranonceSubscribed: this.#extranonceSubscribed,
      versionMask: this.#versionMask,
      difficulty: this.difficulty,
      fixedDifficulty: this.#fixedDifficulty,
      connectedAt: this.stats.startedAt,
      accepted: this.stats.accepted,
      acceptedDifficulty: this.stats.acceptedDifficulty,
      rejected,
      rejectedTotal: this.stats.rejectedTotal,
      blocks: this.stats.blocks,
      ...(this.stats.lastShareAt !== undefined ? { lastShareAt: this.stats.lastShareAt } : {}),
      hashrate: this.stats.hashrate(now),
    };
  }

  #configure(req: MiningConfigure, now: number): SessionOutput {
    const reply: { -readonly [K in keyof ConfigureReply]: ConfigureReply[K] } = {};
    const out = emptyOutput();
    if (req.versionRolling) {
      const granted = negotiateVersionMask(
        req.versionRolling.mask,
        this.#serverMask,
        req.versionRolling.minBitCount,
      );
      this.#versionMask = granted.ok ? granted.value : 0;
      reply.versionRollingMask = granted.ok ? granted.value : null;
    }
    if (req.minimumDifficulty !== undefined) {
      this.#setMinimumDifficulty(req.minimumDifficulty, now, out);
      reply.minimumDifficulty = true;
    }
    if (req.subscribeExtranonce) {
      this.#extranonceSubscribed = true;
      reply.subscribeExtranonce = true;
    }
    out.lines.unshift(encodeConfigureResult(req.id, reply));
    return out;
  }

  /** BIP310 minimum-difficulty: the miner never wants work below this; vardiff bounds move up. */
  #setMinimumDifficulty(value: number, now: number, out: SessionOutput): void {
    const cfg = this.#vardiff.config;
    const min = clampDifficulty(Math.max(cfg.minDifficulty, value), cfg);
    const previous = this.#vardiff.difficulty;
    this.#vardiff = new Vardiff({ ...cfg, minDifficulty: min }, Math.max(previous, min), now);
    if (this.#vardiff.difficulty !== previous) this.#announceDifficulty(previous, out);
  }

  #authorize(req: MiningAuthorize, now: number): SessionOutput {
    if (!this.#subscribed) {
      return { lines: [encodeError(req.id, StratumErrorCode.NotSubscribed)], events: [] };
    }
    const name = parseWorkerName(req.user);
    if (!name.ok) {
      return {
        lines: [encodeError(req.id, StratumErrorCode.UnauthorizedWorker, name.error.message)],
        events: [],
      };
    }
    const out: SessionOutput = { lines: [encodeResult(req.id, true)], events: [] };
    const first = this.#primary === undefined;
    const isNew = !this.#users.has(req.user);
    this.#users.set(req.user, name.value);
    if (first) this.#primary = name.value;
    const fixed = parsePasswordOptions(req.password).fixedDifficulty;
    if (first) {
      if (fixed !== undefined) {
        this.#vardiff.suggest(fixed, now, true);
        this.#fixedDifficulty = true;
      }
      out.lines.push(encodeSetDifficulty(this.difficulty));
      if (this.#job) out.lines.push(this.#job.get(true));
    } else if (fixed !== undefined) {
      this.#fixedDifficulty = true;
      this.#applyDifficulty(this.#vardiff.suggest(fixed, now, true), out);
    }
    if (isNew) {
      out.events.push({
        type: 'authorized',
        user: req.user,
        account: name.value.account,
        worker: name.value.worker,
      });
    }
    return out;
  }

  /** The name a submit is credited to, or undefined when the worker was never authorized here. */
  #creditedName(worker: string): WorkerName | undefined {
    const exact = this.#users.get(worker);
    if (exact) return exact;
    // Firmware sometimes submits under another worker of the same account; credit it as sent.
    const parsed = parseWorkerName(worker);
    if (!parsed.ok) return undefined;
    for (const n of this.#users.values()) if (n.account === parsed.value.account) return parsed.value;
    return undefined;
  }

  #submit(req: MiningSubmit, now: number): SessionOutput {
    const out = emptyOutput();
    if (!this.#subscribed) {
      out.lines.push(encodeError(req.id, StratumErrorCode.NotSubscribed));
      return this.#countInvalid(out, 'not-subscribed', now);
    }
    if (!this.authorized) {
      out.lines.push(encodeError(req.id, StratumErrorCode.UnauthorizedWorker));
      return this.#countInvalid(out, 'unauthorized', now);
    }
    const name = this.#creditedName(req.worker);
    if (!name) {
      out.lines.push(
        encodeError(
          req.id,
          StratumErrorCode.UnauthorizedWorker,
          `worker '${req.worker.slice(0, 80)}' was not authorized on this connection`,
        ),
      );
      return this.#countInvalid(out, 'unauthorized', now);
    }
    const verdict = this.#validator.check(
      {
        extranonce1: this.#extranonce1Bytes,
        extranonce1Hex: this.#extranonce1,
        extranonce2Size: this.#extranonce2Size,
        versionMask: this.#versionMask,
        difficulty: this.#vardiff.difficulty,
        previousDifficulty: this.#vardiff.previousDifficulty,
      },
      req,
      Math.floor(now / 1000),
    );
    const difficulty = verdict.kind === 'accepted' ? verdict.difficulty : this.#vardiff.difficulty;
    out.events.push({
      type: 'share',
      share: {
        requestId: req.id,
        account: name.account,
        worker: name.worker,
        jobId: req.jobId,
        extranonce2: req.extranonce2,
        ntime: req.ntime,
        nonce: req.nonce,
        ...(req.versionBits !== undefined ? { versionBits: req.versionBits } : {}),
        verdict,
        difficulty,
        at: now,
      },
    });
    if (verdict.kind === 'accepted') {
      out.lines.push(encodeResult(req.id, true));
      this.stats.accept(verdict.difficulty, now, verdict.block);
      this.#guard.record(true);
      this.#applyDifficulty(this.#vardiff.onShare(now), out);
      return out;
    }
    out.lines.push(encodeError(req.id, verdict.code, verdict.message));
    return this.#countInvalid(out, verdict.reason, now);
  }

  #countInvalid(out: SessionOutput, reason: string, now: number): SessionOutput {
    this.stats.reject(reason, now);
    const close = this.#guard.record(false);
    return close === undefined ? out : this.#close(out, 'invalid-shares', close);
  }

  /** A vardiff decision: tell the miner now and re-send the current job so it applies at once. */
  #applyDifficulty(next: number | null, out: SessionOutput): void {
    if (next === null) return;
    this.#announceDifficulty(this.#vardiff.previousDifficulty, out);
  }

  #announceDifficulty(previous: number, out: SessionOutput): void {
    const event: SessionEvent = { type: 'difficulty', difficulty: this.difficulty, previous };
    out.events.push(event);
    if (!this.authorized || this.#closed) return;
    out.lines.push(encodeSetDifficulty(this.difficulty));
    if (this.#job) out.lines.push(this.#job.get(false));
  }

  #close(out: SessionOutput, code: SessionCloseCode, reason: string): SessionOutput {
    if (!this.#closed) {
      this.#closed = true;
      out.events.push({ type: 'close', code, reason });
    }
    return out;
  }
}
