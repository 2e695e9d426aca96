// One finding of `farmhand doctor`: what was checked, how it stands, and what to do about it.

/** ok: nothing to do. warn: works, but look at it. fail: the appliance cannot do its job. skip: could not be checked here. */
export type CheckLevel = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable name for scripts: config, port.stratum, port.control, agent, data-dir, store, buffer, clock, upstream.<n>, systemd. */
  readonly id: string;
  readonly level: CheckLevel;
  /** What was found, in plain words. */
  readonly message: string;
  /** What to do, when there is something to do. */
  readonly fix?: string;
}

export const check = (id: string, level: CheckLevel, message: string, fix?: string): CheckResult =>
  fix === undefined ? { id, level, message } : { id, level, message, fix };

export interface DoctorReport {
  /** False when any check failed; the command's exit status follows it. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

export function report(checks: readonly CheckResult[]): DoctorReport {
  return { ok: checks.every((c) => c.level !== 'fail'), checks };
}

const LABEL: Record<CheckLevel, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** One line per check, the fix indented under it; a summary line last. */
export function formatReport(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.id.length), 6);
  const lines: string[] = [];
  for (const c of r.checks) {
    lines.push(`${LABEL[c.level]}  ${c.id.padEnd(width)}  ${c.message}`);
    if (c.fix) lines.push(`${' '.repeat(width + 8)}fix: ${c.fix}`);
  }
  const count = (l: CheckLevel) => r.checks.filter((c) => c.level === l).length;
  lines.push(
    r.ok
      ? `no failures (${count('warn')} warning${count('warn') === 1 ? '' : 's'})`
      : `${count('fail')} check${count('fail') === 1 ? '' : 's'} failed: fix ${count('fail') === 1 ? 'it' : 'them'} and run farmhand doctor again`,
  );
  return lines.join('\n');
}
