import { spawnSync } from 'node:child_process';
import { check, type CheckResult } from './check-result.js';

// The installed service's state, where systemd runs (not in containers or the demo).

export const UNIT = 'farmhand-agent.service';

export function checkSystemd(unit = UNIT): CheckResult {
  const r = spawnSync(
    'systemctl',
    ['show', unit, '--property=LoadState,ActiveState,SubState,NRestarts,UnitFileState'],
    {
      encoding: 'utf8',
      timeout: 3000,
    },
  );
  if (r.error) return check('systemd', 'skip', 'systemctl is not installed: not a systemd machine');
  if (r.status !== 0)
    return check(
      'systemd',
      'skip',
      `systemd is not running here (${(r.stderr || '').trim().split('\n')[0] ?? ''})`,
    );
  const p = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  if (p.LoadState === 'not-found')
    return check('systemd', 'skip', `${unit} is not installed (fine when the agent is run by hand)`);
  const state = `${p.ActiveState}/${p.SubState}, ${p.UnitFileState ?? 'unknown'}`;
  const restarts = Number(p.NRestarts ?? 0);
  if (p.ActiveState === 'failed')
    return check(
      'systemd',
      'fail',
      `${unit} has failed (${state})`,
      `read why: journalctl -u farmhand-agent -e; then: sudo systemctl restart farmhand-agent`,
    );
  if (p.ActiveState !== 'active' && p.ActiveState !== 'activating' && p.ActiveState !== 'reloading')
    return check(
      'systemd',
      'fail',
      `${unit} is not running (${state})`,
      'sudo systemctl enable --now farmhand-agent',
    );
  if (restarts > 0)
    return check(
      'systemd',
      'warn',
      `${unit} is running (${state}) but systemd restarted it ${restarts} time${restarts === 1 ? '' : 's'}`,
      'look for crashes or watchdog timeouts: journalctl -u farmhand-agent -e',
    );
  if (p.UnitFileState !== 'enabled')
    return check(
      'systemd',
      'warn',
      `${unit} is running but not enabled (${state}): it will not start after a reboot`,
      'sudo systemctl enable farmhand-agent',
    );
  return check('systemd', 'ok', `${unit} is running (${state})`);
}
