import { createServiceNotifier } from '../service/index.js';
import type { ChildSpec } from './child-spec.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';

/**
 * Runs the children until SIGINT or SIGTERM, which is passed on to them (SIGHUP stops them with
 * SIGTERM); a second signal kills them at once. Tells systemd (when it started us) READY, the
 * running count, and keep-alives. Resolves with the exit code for the process.
 */
export async function runSupervised(
  specs: readonly ChildSpec[],
  options: SupervisorOptions = {},
): Promise<number> {
  const notifier = createServiceNotifier();
  let supervisor: Supervisor | null = null;
  const status = (): void => {
    if (supervisor !== null) notifier.status(`${supervisor.running}/${supervisor.size} roles running`);
  };
  supervisor = new Supervisor(specs, {
    ...options,
    onChange: () => {
      status();
      options.onChange?.();
    },
  });
  const sup = supervisor;
  // Children lead their own process groups, so nothing would stop them if we just vanished.
  const onExit = (): void => sup.killAll();
  process.on('exit', onExit);

  let signals = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) {
        sup.killAll();
        return;
      }
      notifier.stopping(`stopping ${sup.size} roles on ${signal}`);
      void sup.stop(signal === 'SIGHUP' ? 'SIGTERM' : signal).then(resolve);
    };
    // SIGHUP too: a closed terminal would otherwise end us without an 'exit' event, orphaning the roles.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });

  sup.start();
  notifier.ready(`${sup.running}/${sup.size} roles running`);
  await stopped;
  process.off('exit', onExit);
  return 0;
}
