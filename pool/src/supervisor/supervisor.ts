import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { ChildSpec } from './child-spec.js';
import { forwardLines } from './line-forwarder.js';
import { DEFAULT_BACKOFF, RestartBackoff, type BackoffOptions } from './restart-backoff.js';

export interface SupervisorOptions {
  readonly backoff?: BackoffOptions;
  /** How long a child may take to stop after the stop signal before it is killed. */
  readonly killTimeoutMs?: number;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** The supervisor's own messages (one line each, no prefix). */
  readonly log?: (line: string) => void;
  /** Called after every spawn and every exit, e.g. to update STATUS=. */
  readonly onChange?: () => void;
}

/** One unplanned exit and what the supervisor decided. */
export interface RestartRecord {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly uptimeMs: number;
  readonly delayMs: number;
}

interface Slot {
  readonly spec: ChildSpec;
  readonly backoff: RestartBackoff;
  child: ChildProcess | null;
  startedAt: number;
  restartTimer: ReturnType<typeof setTimeout> | null;
  killTimer: ReturnType<typeof setTimeout> | null;
}

export const DEFAULT_KILL_TIMEOUT_MS = 10_000;

/**
 * Runs named children, restarts any that exits, backs off crash loops, and stops them all on
 * request. Each child leads its own process group, so stopping or killing a child takes whatever
 * it started too, and a terminal's Ctrl-C reaches children only through us.
 */
export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  private readonly killTimeoutMs: number;
  private readonly stdout: Writable;
  private readonly stderr: Writable;
  private readonly log: (line: string) => void;
  private readonly onChange: () => void;
  private readonly history: RestartRecord[] = [];
  // Children whose output pipes are still open: a stop waits for their last lines.
  private readonly draining = new Set<ChildProcess>();
  private stopping: Promise<void> | null = null;
  private allExited: (() => void) | null = null;

  constructor(specs: readonly ChildSpec[], options: SupervisorOptions = {}) {
    for (const spec of specs) {
      if (this.slots.has(spec.name)) throw new Error(`two children are named ${spec.name}`);
      this.slots.set(spec.name, {
        spec,
        backoff: new RestartBackoff(options.backoff ?? DEFAULT_BACKOFF),
        child: null,
        startedAt: 0,
        restartTimer: null,
        killTimer: null,
      });
    }
    this.killTimeoutMs = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.log = options.log ?? ((line) => this.stderr.write(`[supervisor] ${line}\n`));
    this.onChange = options.onChange ?? (() => {});
  }

  start(): void {
    for (const slot of this.slots.values()) if (slot.child === null) this.launch(slot);
  }

  /** Every unplanned exit so far, with the delay chosen before the restart. */
  get restarts(): readonly RestartRecord[] {
    return this.history;
  }

  /** The running child's pid per name (undefined while it waits for a restart). */
  pids(): Map<string, number | undefined> {
    return new Map([...this.slots].map(([name, slot]) => [name, slot.child?.pid]));
  }

  get running(): number {
    return [...this.slots.values()].filter((s) => s.child !== null).length;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Sends `signal` to every child, SIGKILLs those still there after the kill timeout. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    this.stopping = new Promise<void>((resolve) => {
      this.allExited = resolve;
    });
    for (const slot of this.slots.values()) {
      if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
      if (slot.child === null) continue;
      signalGroup(slot.child, signal);
      slot.killTimer = setTimeout(() => {
        if (slot.child === null) return;
        this.log(`${slot.spec.name} did not stop within ${this.killTimeoutMs} ms; killing it`);
        signalGroup(slot.child, 'SIGKILL');
      }, this.killTimeoutMs);
    }
    this.settleIfDone();
    return this.stopping;
  }

  /** Last resort when the supervisor itself is going away: SIGKILL every child group now. */
  killAll(): void {
    for (const slot of this.slots.values()) if (slot.child !== null) signalGroup(slot.child, 'SIGKILL');
  }

  private launch(slot: Slot): void {
    const { spec } = slot;
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: childEnv(spec),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    slot.child = child;
    slot.startedAt = Date.now();
    forwardLines(child.stdout, this.stdout, `[${spec.name}] `);
    forwardLines(child.stderr, this.stderr, `[${spec.name}] `);
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (ended) return;
      ended = true;
      this.exited(slot, child, code, signal, error);
    };
    this.draining.add(child);
    const drained = (): void => {
      this.draining.delete(child);
      this.settleIfDone();
    };
    child.on('exit', (code, signal) => onEnd(code, signal));
    child.on('close', drained);
    child.on('error', (err) => {
      // A child that never started (no such command) emits only 'error'.
      if (child.pid === undefined) {
        onEnd(null, null, err);
        drained();
      } else this.log(`${spec.name}: ${err.message}`);
    });
    if (child.pid !== undefined) this.log(`${spec.name} started (pid ${child.pid})`);
    this.onChange();
  }

  private exited(
    slot: Slot,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    error?: Error,
  ): void {
    if (slot.child !== child) return;
    slot.child = null;
    if (slot.killTimer !== null) clearTimeout(slot.killTimer);
    slot.killTimer = null;
    // Whatever the child left behind in its group goes with it.
    signalGroup(child, 'SIGKILL');
    const how =
      error !== undefined
        ? `could not start (${error.message})`
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    if (this.stopping !== null) {
      this.log(`${slot.spec.name} ${how}`);
      this.onChange();
      this.settleIfDone();
      return;
    }
    const uptimeMs = Date.now() - slot.startedAt;
    const delayMs = slot.backoff.next(uptimeMs);
    this.history.push({ name: slot.spec.name, code, signal, uptimeMs, delayMs });
    this.log(`${slot.spec.name} ${how} after ${(uptimeMs / 1000).toFixed(1)} s; restarting in ${delayMs} ms`);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.stopping === null) this.launch(slot);
    }, delayMs);
    this.onChange();
  }

  private settleIfDone(): void {
    if (this.allExited !== null && this.running === 0 && this.draining.size === 0) {
      this.allExited();
      this.allExited = null;
    }
  }
}

// systemd's notify variables are the supervisor's: a role that inherited them could feed the
// watchdog on behalf of a wedged supervisor.
function childEnv(spec: ChildSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
  for (const key of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[key];
  return env;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
