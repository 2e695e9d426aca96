import { spawn } from 'node:child_process';
import { parseWatchdogSettings, ServiceNotifier, type NotifySender } from '@farmhand/core/service';

// Node's dgram has no AF_UNIX datagram sockets, so each message goes through systemd's own
// `systemd-notify` (it waits until systemd has read the message, so the sender's short life is no
// race). The unit therefore sets NotifyAccess=all. The agent has the same few lines.
function systemdNotifySender(onError: (message: string) => void): NotifySender {
  let reported = false;
  return (assignments) => {
    const child = spawn('systemd-notify', [...assignments], { stdio: 'ignore' });
    child.on('error', (err) => {
      if (reported) return;
      reported = true;
      onError(`cannot run systemd-notify (${err.message}); install systemd or unset NOTIFY_SOCKET`);
    });
  };
}

/** The pool process's notifier, from its environment; inert when not started by systemd. */
export function createServiceNotifier(
  env: NodeJS.ProcessEnv = process.env,
  onError: (message: string) => void = (m) => console.error(`farmhand-pool: ${m}`),
): ServiceNotifier {
  const socket = env.NOTIFY_SOCKET;
  const watchdog = parseWatchdogSettings(env, process.pid);
  if (!watchdog.ok) onError(watchdog.error.message);
  return new ServiceNotifier({
    send: socket === undefined || socket === '' ? null : systemdNotifySender(onError),
    watchdog: watchdog.ok ? watchdog.value : null,
  });
}
