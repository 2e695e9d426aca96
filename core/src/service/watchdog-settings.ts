import { fail, ok, type Result } from '../result.js';

/** What systemd asked for through WATCHDOG_USEC (and WATCHDOG_PID). */
export interface WatchdogSettings {
  /** systemd restarts the unit when no keep-alive arrives within this many milliseconds. */
  readonly timeoutMs: number;
  /** How often to send WATCHDOG=1: half the timeout, as sd_watchdog_enabled(3) advises. */
  readonly keepAliveMs: number;
}

export type WatchdogSettingsError = 'WATCHDOG_USEC_INVALID' | 'WATCHDOG_PID_INVALID';

export interface WatchdogEnv {
  readonly WATCHDOG_USEC?: string | undefined;
  readonly WATCHDOG_PID?: string | undefined;
}

/**
 * The watchdog this process must feed, or null when there is none: WATCHDOG_USEC unset, or
 * WATCHDOG_PID naming another process (the variables leaked to a child).
 */
export function parseWatchdogSettings(
  env: WatchdogEnv,
  pid: number,
): Result<WatchdogSettings | null, WatchdogSettingsError> {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || usecText === '') return ok(null);
  if (!/^[0-9]+$/.test(usecText)) {
    return fail(
      'WATCHDOG_USEC_INVALID',
      `WATCHDOG_USEC is "${usecText}"; expected a whole number of microseconds. Check WatchdogSec= in the unit.`,
    );
  }
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined && pidText !== '') {
    if (!/^[0-9]+$/.test(pidText)) {
      return fail('WATCHDOG_PID_INVALID', `WATCHDOG_PID is "${pidText}"; expected a process id.`);
    }
    if (Number(pidText) !== pid) return ok(null);
  }
  const usec = Number(usecText);
  if (usec === 0) return ok(null);
  const timeoutMs = usec / 1000;
  return ok({ timeoutMs, keepAliveMs: Math.max(1, Math.floor(timeoutMs / 2)) });
}
