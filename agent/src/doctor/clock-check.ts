import { spawnSync } from 'node:child_process';
import { check, type CheckResult } from './check-result.js';

// Boards without a real-time clock (a Raspberry Pi) boot in the past until NTP answers; shares and
// history stamped then are wrong, and TLS to a gateway fails. So: is the time plausible, and is it
// synchronized per systemd (timedatectl), where that can be asked.

/** Earliest plausible "now": no farmhand release is older. */
const EARLIEST = Date.UTC(2025, 0, 1);

export interface ClockFacts {
  readonly now: number;
  /** true/false from timedatectl's NTPSynchronized; null when it cannot be asked. */
  readonly synchronized: boolean | null;
}

export function readClock(now = Date.now()): ClockFacts {
  const r = spawnSync('timedatectl', ['show', '--property=NTPSynchronized', '--value'], {
    encoding: 'utf8',
    timeout: 3000,
  });
  const v = r.status === 0 ? r.stdout.trim() : '';
  return { now, synchronized: v === 'yes' ? true : v === 'no' ? false : null };
}

export function checkClock(facts: ClockFacts): CheckResult {
  const at = new Date(facts.now).toISOString().replace(/\.\d+Z$/, 'Z');
  if (facts.now < EARLIEST)
    return check(
      'clock',
      'fail',
      `system time is ${at}, which is in the past: the clock was never set`,
      'connect the box to the internet so NTP can set it (sudo timedatectl set-ntp true), or set it: sudo date -s "YYYY-MM-DD HH:MM"',
    );
  if (facts.synchronized === false)
    return check(
      'clock',
      'warn',
      `system time is ${at} and not synchronized`,
      'enable NTP: sudo timedatectl set-ntp true (and allow UDP 123 out)',
    );
  if (facts.synchronized === null)
    return check(
      'clock',
      'ok',
      `system time is ${at} (whether it is synchronized cannot be told here: no timedatectl, or no systemd to answer it)`,
    );
  return check('clock', 'ok', `system time is ${at}, synchronized`);
}
