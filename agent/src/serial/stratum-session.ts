import { connect, type Socket } from 'node:net';
import { hexToBytes } from '@farmhand/core/bitcoin';
import { prepareJob, type ShareJob } from '@farmhand/core/share';
import {
  LineDecoder,
  encodeAuthorize,
  encodeSubmit,
  encodeSubscribe,
  encodeSuggestDifficulty,
  parseMessage,
  parseSubscribeResult,
  toServerMessage,
  type SubmitFields,
} from '@farmhand/core/stratum';

// A serial device's own Stratum V1 session to the agent's stratum port on loopback: the agent treats it
// like any miner (its own extranonce1, jobs, vardiff), so the serial code needs no second job path.

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly userAgent: string;
  readonly suggestDifficulty: number;
}

export interface SessionEvents {
  ready(): void;
  job(job: ShareJob): void;
  /** mining.set_extranonce: work built on the old extranonce1 should be replaced. */
  extranonce(): void;
  closed(reason: string): void;
}

export interface SubmitAnswer {
  readonly accepted: boolean;
  readonly code?: number;
  readonly message?: string;
}

type Reply = (result: unknown, error: { code: number | null; message: string } | null) => void;

export class DeviceSession {
  private readonly socket: Socket;
  private readonly decoder = new LineDecoder();
  private readonly pending = new Map<number, Reply>();
  private nextId = 1;
  private closedReason: string | null = null;
  extranonce1: Uint8Array = new Uint8Array(0);
  extranonce2Size = 4;
  difficulty: number;
  job: ShareJob | null = null;

  constructor(
    private readonly options: SessionOptions,
    private readonly events: SessionEvents,
  ) {
    this.difficulty = options.suggestDifficulty;
    this.socket = connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => void this.handshake());
    this.socket.on('data', (b: Buffer) => this.onData(b));
    this.socket.on('error', (e) => this.close(e.message));
    this.socket.on('close', () => this.close('stratum connection closed'));
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  submit(fields: SubmitFields): Promise<SubmitAnswer> {
    return this.request((id) => encodeSubmit(id, fields)).then(({ result, error }) =>
      result === true && !error
        ? { accepted: true }
        : { accepted: false, code: error?.code ?? 20, message: error?.message ?? 'rejected' },
    );
  }

  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.socket.destroy();
    for (const p of this.pending.values()) p(null, { code: null, message: reason });
    this.pending.clear();
    this.events.closed(reason);
  }

  private async handshake(): Promise<void> {
    const o = this.options;
    const sub = await this.request((id) => encodeSubscribe(id, o.userAgent));
    const parsed = sub.error ? undefined : parseSubscribeResult(sub.result);
    if (!parsed?.ok) return this.close(`subscribe refused: ${sub.error?.message ?? 'bad result'}`);
    this.extranonce1 = hexToBytes(parsed.value.extranonce1);
    this.extranonce2Size = parsed.value.extranonce2Size;
    const auth = await this.request((id) => encodeAuthorize(id, o.user, 'x'));
    if (auth.result !== true) return this.close(`authorize refused for ${o.user}`);
    void this.request((id) => encodeSuggestDifficulty(id, o.suggestDifficulty));
    if (!this.closed) this.events.ready();
  }

  private request(
    encode: (id: number) => string,
  ): Promise<{ result: unknown; error: { code: number | null; message: string } | null }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.closed) return resolve({ result: null, error: { code: null, message: 'closed' } });
      this.pending.set(id, (result, error) => resolve({ result, error }));
      this.socket.write(encode(id));
    });
  }

  private onData(chunk: Buffer): void {
    for (const line of this.decoder.push(chunk)) {
      if (!line.ok) return this.close('stratum line too long');
      const msg = parseMessage(line.value);
      if (!msg.ok) continue;
      const m = msg.value;
      if (m.kind === 'response') {
        const p = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
        if (p) {
          this.pending.delete(m.id as number);
          p(m.result, m.error);
        }
        continue;
      }
      const typed = toServerMessage(m);
      if (!typed.ok) continue;
      const s = typed.value;
      if (s.kind === 'mining.set_difficulty') {
        this.difficulty = s.difficulty; // applies to the nonces checked from now on
      } else if (s.kind === 'mining.notify') {
        const job = prepareJob(s.job);
        if (job.ok) {
          this.job = job.value;
          this.events.job(job.value);
        }
      } else if (s.kind === 'mining.set_extranonce') {
        this.extranonce1 = hexToBytes(s.extranonce1);
        this.extranonce2Size = s.extranonce2Size;
        this.events.extranonce();
      }
    }
  }
}
