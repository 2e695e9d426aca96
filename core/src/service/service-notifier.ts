import { notifyAssignments, type NotifyMessage } from './notify-message.js';
import type { WatchdogSettings } from './watchdog-settings.js';

/** Delivers one message's assignments to the service manager; each package supplies the I/O. */
export type NotifySender = (assignments: readonly string[]) => void;

export interface ServiceNotifierOptions {
  /** Null when the process is not run by systemd with Type=notify (no NOTIFY_SOCKET). */
  readonly send: NotifySender | null;
  readonly watchdog: WatchdogSettings | null;
}

/**
 * READY/STATUS/STOPPING and the watchdog keep-alive for a daemon. The keep-alive is an
 * event-loop timer on purpose: a wedged loop stops feeding systemd, which then restarts us.
 */
export class ServiceNotifier {
  private readonly send: NotifySender | null;
  readonly watchdog: WatchdogSettings | null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sentCount = 0;

  constructor(options: ServiceNotifierOptions) {
    this.send = options.send;
    this.watchdog = options.send === null ? null : options.watchdog;
  }

  /** True when messages go anywhere. */
  get enabled(): boolean {
    return this.send !== null;
  }

  /** Messages handed to the sender so far. */
  get sent(): number {
    return this.sentCount;
  }

  ready(status?: string): void {
    this.notify({ ready: true, status });
    this.startWatchdog();
  }

  status(text: string): void {
    this.notify({ status: text });
  }

  stopping(status?: string): void {
    this.stopWatchdog();
    this.notify({ stopping: true, status });
  }

  /** Starts the keep-alive timer; false when systemd asked for no watchdog. */
  startWatchdog(): boolean {
    if (this.watchdog === null) return false;
    if (this.timer !== null) return true;
    this.notify({ watchdog: true });
    this.timer = setInterval(() => this.notify({ watchdog: true }), this.watchdog.keepAliveMs);
    // The keep-alive alone must not keep a finished process running.
    this.timer.unref();
    return true;
  }

  stopWatchdog(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private notify(message: NotifyMessage): void {
    if (this.send === null) return;
    const assignments = notifyAssignments(message);
    if (assignments.length === 0) return;
    this.sentCount += 1;
    this.send(assignments);
  }
}
