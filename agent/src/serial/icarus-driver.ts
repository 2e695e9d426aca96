import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import {
  concatBytes,
  difficultyToTarget,
  hashMeetsTarget,
  rootFromBranch,
  sha256d,
  targetToBytes,
  writeHeader,
} from '@farmhand/core/bitcoin';
import type { ShareJob } from '@farmhand/core/share';
import { hex32 } from '@farmhand/core/stratum';
import { Backoff } from '../upstream/backoff.js';
import { HashrateMeter } from './hashrate-meter.js';
import { ICARUS_NONCE_BYTES, encodeIcarusWork, headerNonce, nonceCounter } from './icarus-work.js';
import { DeviceSession } from './stratum-session.js';

// One Icarus-protocol device on one serial port: work from its own Stratum session with the agent,
// a 64-byte item per cycle, every reply verified before it becomes a share (docs/serial-miners.md).

export interface IcarusDriverOptions {
  readonly path: string;
  /** Worker name: `<account>.<name>`. */
  readonly worker: string;
  readonly baudRate: number;
  /** The difficulty the device's nonces always meet (1 for real devices; the simulator's is tiny). */
  readonly difficulty: number;
  /** Expected hashes per second until the device's own nonces say better. */
  readonly hashrate: number;
  /** Longest work cycle: a fresh item at least this often, even when the nonce range lasts longer. */
  readonly maxWorkMs: number;
  /** Cycles in a row with no reply at all before the port is reopened. */
  readonly silentCycles: number;
  readonly reopenMinMs: number;
  readonly reopenMaxMs: number;
  readonly stratum: { host: string; port: number };
  readonly logger: Logger;
}

export type DeviceState = 'opening' | 'handshake' | 'mining' | 'unplugged' | 'stopped';

export interface DeviceStats {
  workItems: number;
  nonces: number;
  accepted: number;
  rejected: number;
  /** Replies that do not hash to the device's difficulty for any live work, and stray bytes. */
  hardwareErrors: number;
  /** Good nonces below the share difficulty the agent asks of this device (not submitted). */
  belowTarget: number;
  /** Good nonces for work a clean job replaced (not submitted: the agent would call them stale). */
  stale: number;
  reopens: number;
  /** Detected from nonce counters (hashes per second), or the configured figure until then. */
  hashrate: number;
  lastNonceAt: number | null;
}

interface SentWork {
  readonly job: ShareJob;
  readonly extranonce2: string;
  readonly header: Uint8Array;
  readonly sentAt: number;
  /** A clean job or a new extranonce came after it: its nonces are good but no longer worth a share. */
  stale: boolean;
}

export class IcarusDriver extends EventEmitter {
  state: DeviceState = 'opening';
  readonly stats: DeviceStats;
  lastError: string | null = null;
  private port: SerialPort | null = null;
  private session: DeviceSession | null = null;
  private rx: Uint8Array = new Uint8Array(0);
  private current: SentWork | null = null;
  private previous: SentWork | null = null;
  private en2Counter = 0;
  private cycleTimer: NodeJS.Timeout | null = null;
  private reopenTimer: NodeJS.Timeout | null = null;
  private silent = 0;
  private readonly meter = new HashrateMeter();
  private readonly backoff: Backoff;
  private readonly deviceTarget: Uint8Array;

  constructor(readonly options: IcarusDriverOptions) {
    super();
    this.stats = {
      workItems: 0,
      nonces: 0,
      accepted: 0,
      rejected: 0,
      hardwareErrors: 0,
      belowTarget: 0,
      stale: 0,
      reopens: 0,
      hashrate: options.hashrate,
      lastNonceAt: null,
    };
    this.backoff = new Backoff(options.reopenMinMs, options.reopenMaxMs);
    this.deviceTarget = targetToBytes(difficultyToTarget(options.difficulty));
  }

  start(): void {
    this.open();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.release('agent stopping');
    await new Promise((r) => setImmediate(r));
  }

  private open(): void {
    if (this.state === 'stopped') return;
    this.state = 'opening';
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate,
      autoOpen: false,
    });
    port.open((err) => {
      if (this.state === 'stopped') return void (port.isOpen && port.close());
      if (err) return this.lost(`cannot open ${this.options.path}: ${err.message}`);
      this.port = port;
      this.rx = new Uint8Array(0);
      port.on('data', (b: Buffer) => this.onBytes(b));
      port.on('error', (e: Error) => this.lost(`port error: ${e.message}`));
      port.on('close', () => this.lost('port closed (unplugged?)'));
      this.state = 'handshake';
      this.startSession();
    });
  }

  private startSession(): void {
    const o = this.options;
    this.session = new DeviceSession(
      {
        host: o.stratum.host,
        port: o.stratum.port,
        user: o.worker,
        userAgent: 'farmhand-icarus/1',
        suggestDifficulty: o.difficulty,
      },
      {
        ready: () => {
          this.state = 'mining';
          this.backoff.reset();
          this.emit('mining');
          this.options.logger.info({ path: o.path, worker: o.worker }, 'serial miner mining');
          this.sendWork(); // the first job may have come with the handshake
        },
        // A new job replaces the item in progress when it is clean; otherwise it waits for the next cycle.
        job: (job) => {
          if (job.cleanJobs) for (const w of [this.current, this.previous]) if (w) w.stale = true;
          if (job.cleanJobs || !this.current) this.sendWork();
        },
        extranonce: () => {
          for (const w of [this.current, this.previous]) if (w) w.stale = true;
          this.sendWork();
        },
        closed: (reason) => this.lost(`stratum session: ${reason}`),
      },
    );
  }

  /** Port or session gone: release both and try again after a back-off. */
  private lost(reason: string): void {
    if (this.state === 'stopped' || this.state === 'unplugged') return;
    const wasMining = this.state === 'mining';
    this.lastError = reason;
    this.state = 'unplugged';
    this.release(reason);
    if (wasMining) {
      this.options.logger.warn({ path: this.options.path, reason }, 'serial miner lost');
      this.emit('lost', reason);
    }
    const delay = this.backoff.next();
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.stats.reopens++;
      this.open();
    }, delay);
    this.reopenTimer.unref();
  }

  private release(reason: string): void {
    if (this.cycleTimer) clearTimeout(this.cycleTimer);
    this.cycleTimer = null;
    this.current = this.previous = null;
    const port = this.port;
    this.port = null;
    if (port) {
      port.removeAllListeners();
      port.on('error', () => {});
      if (port.isOpen) port.close(() => {});
    }
    const session = this.session;
    this.session = null;
    session?.close(reason);
  }

  /** Builds the next header from the session's job with a fresh extranonce2 and writes its item. */
  private sendWork(): void {
    const s = this.session;
    const job = s?.job;
    if (!s || !job || !this.port || this.state !== 'mining') return;
    const size = s.extranonce2Size;
    const en2Value = this.en2Counter++ % 2 ** Math.min(48, size * 8);
    const extranonce2 = en2Value
      .toString(16)
      .padStart(size * 2, '0')
      .slice(-size * 2);
    const en2Bytes = Uint8Array.from(Buffer.from(extranonce2, 'hex'));
    const coinbase = concatBytes(job.coinb1, s.extranonce1, en2Bytes, job.coinb2);
    const header = new Uint8Array(80);
    writeHeader(
      header,
      job.version,
      job.prevHash,
      rootFromBranch(sha256d(coinbase), job.branch),
      job.ntime,
      job.bits,
      0,
    );
    this.previous = this.current;
    this.current = { job, extranonce2, header, sentAt: performance.now(), stale: false };
    this.rx = new Uint8Array(0); // a new item resynchronises the byte stream
    this.port.write(Buffer.from(encodeIcarusWork(header)));
    this.stats.workItems++;
    if (this.cycleTimer) clearTimeout(this.cycleTimer);
    this.cycleTimer = setTimeout(() => this.cycleEnded(), this.cycleMs());
  }

  /** Time to just before the device runs out of nonces at its rate, capped by maxWorkMs. */
  private cycleMs(): number {
    const fullRangeMs = (2 ** 32 / Math.max(1, this.stats.hashrate)) * 1000;
    return Math.max(50, Math.min(this.options.maxWorkMs, fullRangeMs * 0.95));
  }

  private cycleEnded(): void {
    this.cycleTimer = null;
    if (++this.silent >= this.options.silentCycles) {
      this.silent = 0;
      this.lost(`no reply in ${this.options.silentCycles} work cycles`);
      return;
    }
    this.sendWork();
  }

  private onBytes(chunk: Buffer): void {
    const joined = new Uint8Array(this.rx.length + chunk.length);
    joined.set(this.rx);
    joined.set(chunk, this.rx.length);
    this.rx = joined;
    this.silent = 0;
    while (this.rx.length >= ICARUS_NONCE_BYTES && this.port) {
      const reply = this.rx.slice(0, ICARUS_NONCE_BYTES);
      this.rx = this.rx.subarray(ICARUS_NONCE_BYTES);
      this.onReply(reply);
    }
  }

  private onReply(reply: Uint8Array): void {
    const now = performance.now();
    const nonce = headerNonce(reply);
    const match = [this.current, this.previous].find((w) => w && this.meetsDevice(w, nonce));
    if (!match) {
      // Stray bytes or a bad chip: count it, drop what is buffered so the next reply starts aligned.
      this.stats.hardwareErrors++;
      this.rx = new Uint8Array(0);
      this.emit('hardware-error', reply);
      return;
    }
    this.stats.nonces++;
    this.stats.lastNonceAt = Date.now();
    const shareDifficulty = this.session?.difficulty ?? this.options.difficulty;
    const hash = this.hashAt(match, nonce);
    if (match.stale) this.stats.stale++;
    else if (hashMeetsTarget(hash, targetToBytes(difficultyToTarget(shareDifficulty))))
      this.submit(match, nonce);
    else this.stats.belowTarget++;
    if (match === this.current) {
      this.meter.add(nonceCounter(reply) + 1, now - match.sentAt);
      const rate = this.meter.rate;
      if (rate !== null) this.stats.hashrate = rate;
      this.sendWork(); // the device stops at a hit: give it the next item at once
    }
  }

  private hashAt(w: SentWork, nonce: number): Uint8Array {
    const h = w.header.slice();
    new DataView(h.buffer).setUint32(76, nonce, true);
    return sha256d(h);
  }

  private meetsDevice(w: SentWork, nonce: number): boolean {
    return hashMeetsTarget(this.hashAt(w, nonce), this.deviceTarget);
  }

  private submit(w: SentWork, nonce: number): void {
    const s = this.session;
    if (!s) return;
    void s
      .submit({
        worker: this.options.worker,
        jobId: w.job.jobId,
        extranonce2: w.extranonce2,
        ntime: hex32(w.job.ntime),
        nonce: hex32(nonce),
      })
      .then((a) => {
        if (a.accepted) this.stats.accepted++;
        else {
          this.stats.rejected++;
          this.options.logger.debug(
            { worker: this.options.worker, code: a.code, message: a.message },
            'share refused',
          );
        }
      });
  }
}
