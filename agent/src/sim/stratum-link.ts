import { Socket, connect } from 'node:net';
import { prepareJob, type ShareJob } from '@farmhand/core/share';
import {
  LineDecoder,
  encodeAuthorize,
  encodeRequest,
  encodeResult,
  hex32,
  encodeSubmit,
  encodeSubscribe,
  encodeSuggestDifficulty,
  parseConfigureResult,
  parseMessage,
  parseSubscribeResult,
  toServerMessage,
  type SubmitFields,
} from '@farmhand/core/stratum';
import { hexToBytes } from '@farmhand/core/bitcoin';

// One Stratum V1 connection from a simulated miner to one pool, in the order firmware uses:
// mining.configure (version rolling), mining.subscribe with the user agent, mining.authorize,
// then mining.suggest_difficulty where the make sends it.

export interface LinkOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly userAgent: string;
  readonly versionRollingMask: number | null;
  readonly versionRollingMinBits: number | null;
  readonly configureFirst: boolean;
  readonly suggestDifficulty?: number;
  readonly connectTimeoutMs: number;
  /** The miner's own address: a real miner connects from its own IP, which the agent matches to it. */
  readonly localAddress?: string;
}

export interface SubmitOutcome {
  readonly accepted: boolean;
  /** Stratum error code when refused (21 stale/unknown job, 22 duplicate, 23 low difficulty...). */
  readonly code?: number;
  readonly message?: string;
  /** No answer: the connection closed first. */
  readonly lost?: boolean;
}

export interface LinkEvents {
  /** Authorized and ready for work. */
  ready(): void;
  job(job: ShareJob): void;
  difficulty(d: number): void;
  /** Extranonce or version mask changed: work in flight is void. */
  workReset(): void;
  closed(reason: string, wasReady: boolean): void;
  /** client.reconnect: to another host:port, or (undefined) to the same pool again. */
  reconnect(to: { host: string; port: number } | undefined): void;
}

type Pending = (
  result: unknown,
  error: { code: number | null; message: string } | null,
  lost?: boolean,
) => void;

export class StratumLink {
  readonly #socket: Socket;
  readonly #decoder = new LineDecoder();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #ready = false;
  extranonce1: Uint8Array = new Uint8Array(0);
  extranonce1Hex = '';
  extranonce2Size = 4;
  versionMask = 0;
  difficulty = 0;

  constructor(
    private readonly opts: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.#socket = connect({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    this.#socket.setNoDelay(true);
    this.#socket.setTimeout(opts.connectTimeoutMs, () => this.close('connect timeout'));
    this.#socket.on('connect', () => {
      this.#socket.setTimeout(0);
      void this.#handshake();
    });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (e) => this.close(e.message));
    this.#socket.on('close', () => this.close('connection closed by pool'));
  }

  get ready(): boolean {
    return this.#ready;
  }

  get paused(): boolean {
    return this.#socket.isPaused();
  }

  /** Stall fault: stop reading, as a hung firmware thread does. */
  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  writeRaw(text: string): void {
    if (!this.#closed) this.#socket.write(text);
  }

  submit(fields: SubmitFields): Promise<SubmitOutcome> {
    return this.#request((id) => encodeSubmit(id, fields)).then(({ result, error, lost }) =>
      lost
        ? { accepted: false, lost: true }
        : result === true && !error
          ? { accepted: true }
          : { accepted: false, code: error?.code ?? 20, message: error?.message ?? 'rejected' },
    );
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const wasReady = this.#ready;
    this.#ready = false;
    this.#socket.destroy();
    for (const p of this.#pending.values()) p(null, { code: null, message: reason }, true);
    this.#pending.clear();
    this.events.closed(reason, wasReady);
  }

  async #handshake(): Promise<void> {
    const o = this.opts;
    if (o.configureFirst) await this.#configure();
    const sub = await this.#request((id) => encodeSubscribe(id, o.userAgent));
    const parsed = sub.error ? undefined : parseSubscribeResult(sub.result);
    if (!parsed?.ok) return this.close(`subscribe refused: ${sub.error?.message ?? 'bad result'}`);
    this.extranonce1Hex = parsed.value.extranonce1;
    this.extranonce1 = hexToBytes(parsed.value.extranonce1);
    this.extranonce2Size = parsed.value.extranonce2Size;
    if (!o.configureFirst) await this.#configure();
    const auth = await this.#request((id) => encodeAuthorize(id, o.user, o.password));
    if (auth.result !== true) return this.close(`authorize refused for ${o.user}`);
    if (o.suggestDifficulty !== undefined) {
      const d = o.suggestDifficulty;
      void this.#request((id) => encodeSuggestDifficulty(id, d));
    }
    if (this.#closed) return;
    this.#ready = true;
    this.events.ready();
  }

  async #configure(): Promise<void> {
    const { versionRollingMask: mask, versionRollingMinBits: bits } = this.opts;
    if (mask === null) return;
    const params: Record<string, unknown> = { 'version-rolling.mask': hex32(mask) };
    if (bits !== null) params['version-rolling.min-bit-count'] = bits;
    const r = await this.#request((id) =>
      encodeRequest(id, 'mining.configure', [['version-rolling'], params]),
    );
    const parsed = r.error ? undefined : parseConfigureResult(r.result);
    this.versionMask =
      parsed?.ok && parsed.value.versionRolling?.accepted ? parsed.value.versionRolling.mask : 0;
  }

  #request(
    encode: (id: number) => string,
  ): Promise<{ result: unknown; error: { code: number | null; message: string } | null; lost?: boolean }> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      if (this.#closed) return resolve({ result: null, error: null, lost: true });
      this.#pending.set(id, (result, error, lost) => resolve({ result, error, ...(lost ? { lost } : {}) }));
      this.#socket.write(encode(id));
    });
  }

  #onData(chunk: Buffer): void {
    for (const line of this.#decoder.push(chunk)) {
      if (!line.ok) continue;
      const msg = parseMessage(line.value);
      if (!msg.ok) continue; // firmware ignores lines it cannot read
      const m = msg.value;
      if (m.kind === 'response') {
        const p = typeof m.id === 'number' ? this.#pending.get(m.id) : undefined;
        if (p) {
          this.#pending.delete(m.id as number);
          p(m.result, m.error);
        }
        continue;
      }
      const typed = toServerMessage(m);
      if (!typed.ok) continue;
      const s = typed.value;
      switch (s.kind) {
        case 'mining.set_difficulty':
          this.difficulty = s.difficulty;
          this.events.difficulty(s.difficulty);
          break;
        case 'mining.notify': {
          const job = prepareJob(s.job);
          if (job.ok) this.events.job(job.value);
          break;
        }
        case 'mining.set_extranonce':
          this.extranonce1Hex = s.extranonce1;
          this.extranonce1 = hexToBytes(s.extranonce1);
          this.extranonce2Size = s.extranonce2Size;
          this.events.workReset();
          break;
        case 'mining.set_version_mask':
          this.versionMask = s.mask;
          this.events.workReset();
          break;
        default:
          this.#other(s.method, s.id, s.params);
          break;
      }
    }
  }

  /** Server requests cgminer-family firmware answers: client.get_version, client.reconnect. */
  #other(method: string, id: number | string | null, params: readonly unknown[]): void {
    if (method === 'client.get_version' && id !== null) {
      this.#socket.write(encodeResult(id, this.opts.userAgent));
    } else if (method === 'client.reconnect') {
      const [host, port] = params;
      const p = typeof port === 'number' ? port : typeof port === 'string' ? Number(port) : undefined;
      // Only loopback targets: the simulator never connects off this machine.
      const to =
        typeof host === 'string' &&
        host.startsWith('127.') &&
        p !== undefined &&
        Number.isInteger(p) &&
        p > 0 &&
        p < 65536
          ? { host, port: p }
          : undefined;
      this.events.reconnect(to);
    }
  }
}
