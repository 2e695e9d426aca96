// A Stratum V1 client that only watches: subscribe, authorize, then hand every mining.notify to poolbench.
// It never submits. A pool that goes quiet for idleMs, or closes, is reconnected.
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  LineDecoder,
  encodeAuthorize,
  encodeSubscribe,
  parseMessage,
  parseNotifyParams,
  type StratumJob,
} from '@farmhand/core/stratum';
import type { WatchedPool } from './config.js';

export class PoolWatcher {
  #socket: Socket | null = null;
  #retry: NodeJS.Timeout | null = null;
  #idle: NodeJS.Timeout | null = null;
  #stopped = false;
  connected = false;
  notifies = 0;

  constructor(
    readonly pool: WatchedPool,
    private readonly opts: { reconnectMs: number; idleMs: number },
    private readonly log: Logger,
    private readonly onNotify: (pool: WatchedPool, job: StratumJob) => void,
  ) {}

  start(): void {
    const s = connect({ host: this.pool.host, port: this.pool.port });
    this.#socket = s;
    s.setNoDelay(true);
    const lines = new LineDecoder();
    s.on('connect', () => {
      this.connected = true;
      s.write(encodeSubscribe(1, 'farmhand-poolbench/0.1.0'));
      s.write(encodeAuthorize(2, this.pool.user, this.pool.pass));
      this.#touch();
    });
    s.on('data', (chunk: Buffer) => {
      this.#touch();
      for (const line of lines.push(chunk)) {
        if (!line.ok) return s.destroy();
        const msg = parseMessage(line.value);
        if (!msg.ok || msg.value.kind === 'response' || msg.value.method !== 'mining.notify') continue;
        const job = parseNotifyParams(msg.value.params);
        if (!job.ok) {
          this.log.warn({ pool: this.pool.name }, job.error.message);
          continue;
        }
        this.notifies++;
        this.onNotify(this.pool, job.value);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.connected = false;
      if (this.#idle) clearTimeout(this.#idle);
      if (!this.#stopped) this.#retry = setTimeout(() => this.start(), this.opts.reconnectMs);
    });
  }

  #touch(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.log.warn({ pool: this.pool.name }, `silent for ${this.opts.idleMs} ms; reconnecting`);
      this.#socket?.destroy();
    }, this.opts.idleMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#idle) clearTimeout(this.#idle);
    this.#socket?.destroy();
  }
}
