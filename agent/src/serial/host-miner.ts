import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { Backoff } from '../upstream/backoff.js';

// One supervised host miner program (a cgminer build for libusb sticks): started pointed at the agent's
// own stratum port, its output lines logged as the agent's, restarted with back-off when it exits,
// stopped (TERM, then KILL) with the agent. Every child is waited for, so none is left a zombie.

export interface HostMinerOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly restartMinMs: number;
  readonly restartMaxMs: number;
  /** A run this long counts as healthy: the back-off starts over. */
  readonly healthyAfterMs: number;
  readonly stopGraceMs: number;
  readonly logger: Logger;
  readonly onExit?: (e: { code: number | null; signal: string | null; restartInMs: number | null }) => void;
}

export type HostMinerState = 'stopped' | 'running' | 'waiting';

export class HostMiner {
  state: HostMinerState = 'stopped';
  starts = 0;
  lastExit: { code: number | null; signal: string | null; at: number } | null = null;
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private wanted = false;
  private readonly backoff: Backoff;

  constructor(readonly options: HostMinerOptions) {
    this.backoff = new Backoff(options.restartMinMs, options.restartMaxMs);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.spawnChild();
  }

  /** Stops the program and waits until it has exited. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) {
      this.state = 'stopped';
      return;
    }
    const exited = new Promise<void>((r) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
      child.once('error', () => r());
    });
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs);
    await exited;
    clearTimeout(kill);
    this.state = 'stopped';
  }

  private spawnChild(): void {
    const o = this.options;
    const log = o.logger.child({ hostMiner: o.name });
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(o.command, [...o.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      log.error({ err: (e as Error).message }, 'host miner could not start');
      return this.scheduleRestart(null, null, startedAt);
    }
    this.child = child;
    this.state = 'running';
    this.starts++;
    log.info({ pid: child.pid, command: o.command, args: o.args }, 'host miner started');
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (stream) createInterface({ input: stream }).on('line', (line) => log[level]({ out: line }));
    }
    let ended = false;
    const onEnd = (code: number | null, signal: string | null) => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = null;
      this.lastExit = { code, signal, at: Date.now() };
      if (!this.wanted) {
        this.state = 'stopped';
        o.onExit?.({ code, signal, restartInMs: null });
        return;
      }
      this.scheduleRestart(code, signal, startedAt);
    };
    // A program that cannot be spawned (ENOENT) reports 'error' and may never report 'exit'.
    child.once('error', (e) => {
      log.error({ err: e.message }, 'host miner failed');
      if (child.pid === undefined) onEnd(null, null);
    });
    child.once('exit', (code, signal) => onEnd(code, signal));
  }

  private scheduleRestart(code: number | null, signal: string | null, startedAt: number): void {
    if (Date.now() - startedAt >= this.options.healthyAfterMs) this.backoff.reset();
    const delay = this.backoff.next();
    this.state = 'waiting';
    this.options.logger.warn(
      { hostMiner: this.options.name, code, signal, restartInMs: delay },
      'host miner exited; restarting',
    );
    this.options.onExit?.({ code, signal, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.wanted) this.spawnChild();
    }, delay);
    this.restartTimer.unref();
  }
}

/** The program's arguments with {url} {user} {difficulty} {apiPort} filled in (cgminer's by default). */
export function hostMinerArgs(
  template: readonly string[] | undefined,
  v: { url: string; user: string; difficulty: number; apiPort: number },
): string[] {
  const args = template ?? [
    '-o',
    '{url}',
    '-u',
    '{user}',
    '-p',
    'x',
    '--suggest-diff',
    '{difficulty}',
    '--api-listen',
    '--api-allow',
    'W:127.0.0.1',
    '--api-port',
    '{apiPort}',
  ];
  return args.map((a) =>
    a
      .replaceAll('{url}', v.url)
      .replaceAll('{user}', v.user)
      .replaceAll('{difficulty}', String(v.difficulty))
      .replaceAll('{apiPort}', String(v.apiPort)),
  );
}
