// Keeps a connection to every configured jobmaster and sends each a NEW_TIP the moment a tip is seen.
// A tip is only worth something now: one that finds a jobmaster disconnected is not queued.
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from '@farmhand/core/uplink';
import { decodeJmMessage, encodeJmMessage, type JobMessage, type NewTipMessage } from '../jobmaster/wire.js';
import type { HostPort } from './config.js';

export type TipNotice = Omit<NewTipMessage, 'type'>;

class JobmasterLink {
  #socket: Socket | null = null;
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  connected = false;

  constructor(
    readonly addr: HostPort,
    private readonly name: string,
    private readonly reconnectMs: number,
    private readonly log: Logger,
    private readonly onJob?: (job: JobMessage) => void,
  ) {}

  start(): void {
    const s = connect({ host: this.addr.host, port: this.addr.port });
    this.#socket = s;
    s.setNoDelay(true);
    const decoder = new FrameDecoder({ maxBodyBytes: 8 * 1024 * 1024 });
    s.on('connect', () => {
      this.connected = true;
      this.send({ type: 'HELLO', name: this.name });
      this.log.info({ jobmaster: `${this.addr.host}:${this.addr.port}` }, 'jobmaster connected');
    });
    // The jobmaster's jobs say what it mines now (poolbench compares against them); ERRORs get a log line.
    s.on('data', (chunk: Buffer) => {
      for (const r of decoder.push(chunk)) {
        if (!r.ok) return s.destroy();
        const m = decodeJmMessage(r.value);
        if (m.ok && m.value.type === 'ERROR') this.log.warn({ code: m.value.code }, m.value.message);
        if (m.ok && m.value.type === 'JOB') this.onJob?.(m.value);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.connected = false;
      if (!this.#stopped) this.#timer = setTimeout(() => this.start(), this.reconnectMs);
    });
  }

  send(msg: Parameters<typeof encodeJmMessage>[0]): boolean {
    if (!this.connected || !this.#socket) return false;
    this.#seq = (this.#seq + 1) >>> 0;
    this.#socket.write(encodeJmMessage(msg, this.#seq));
    return true;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.destroy();
  }
}

export class JobmasterNotifier {
  readonly #links: JobmasterLink[];

  constructor(
    addrs: readonly HostPort[],
    name: string,
    reconnectMs: number,
    log: Logger,
    onJob?: (job: JobMessage) => void,
  ) {
    this.#links = addrs.map((a) => new JobmasterLink(a, name, reconnectMs, log, onJob));
  }

  start(): void {
    for (const l of this.#links) l.start();
  }

  /** Sends NEW_TIP to every connected jobmaster; returns how many got it. */
  notify(tip: TipNotice): number {
    let n = 0;
    for (const l of this.#links) if (l.send({ type: 'NEW_TIP', ...tip })) n++;
    return n;
  }

  get connected(): number {
    return this.#links.filter((l) => l.connected).length;
  }

  stop(): void {
    for (const l of this.#links) l.stop();
  }
}
