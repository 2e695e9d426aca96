// The sd_notify(3) protocol: newline-separated KEY=VALUE assignments in one datagram.
// Only the assignments farmhand sends are modelled; systemd ignores unknown keys.

export interface NotifyMessage {
  /** Startup finished: systemd moves a Type=notify unit to "active". */
  readonly ready?: boolean;
  /** Shutdown began: systemd stops waiting for keep-alives. */
  readonly stopping?: boolean;
  /** Watchdog keep-alive. */
  readonly watchdog?: boolean;
  /** One line shown by `systemctl status`. */
  readonly status?: string;
}

/** Longest STATUS= text we send; systemctl shows one line, and a datagram must stay small. */
export const STATUS_MAX_CHARS = 200;

/** The assignments for one message, in a stable order (READY/STOPPING first, STATUS last). */
export function notifyAssignments(message: NotifyMessage): string[] {
  const out: string[] = [];
  if (message.ready === true) out.push('READY=1');
  if (message.stopping === true) out.push('STOPPING=1');
  if (message.watchdog === true) out.push('WATCHDOG=1');
  if (message.status !== undefined) out.push(`STATUS=${statusLine(message.status)}`);
  return out;
}

/** The datagram payload: assignments joined by newlines. */
export function formatNotifyMessage(message: NotifyMessage): string {
  return notifyAssignments(message).join('\n');
}

// A newline would start a new assignment, so a status is flattened to one bounded line.
function statusLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > STATUS_MAX_CHARS ? `${flat.slice(0, STATUS_MAX_CHARS - 1)}…` : flat;
}
