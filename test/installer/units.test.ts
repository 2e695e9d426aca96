// The systemd units: systemd's own verifier where the machine has it, and always our structural
// checks of what docs/install.md promises (the watchdog, restarts, hardening, capabilities).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_UNIT = 'farmhand-agent.service';
const POOL_UNIT = 'farmhand-pool@.service';

type Unit = Map<string, Map<string, string[]>>;

/** A unit file as section → key → values (a key may repeat). Fails on lines that are neither. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      expect(unit.has(name), `section [${name}] appears twice`).toBe(false);
      section = new Map();
      unit.set(name, section);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    expect(kv, `line ${i + 1} is not KEY=VALUE: ${line}`).not.toBeNull();
    expect(section, `line ${i + 1} comes before any section`).not.toBeNull();
    const key = kv?.[1] ?? '';
    section?.set(key, [...(section.get(key) ?? []), kv?.[2] ?? '']);
  }
  return unit;
}

// Every directive the units may use, per section: a misspelt one would be silently ignored by systemd.
const KNOWN: Record<string, string[]> = {
  Unit: ['Description', 'Documentation', 'After', 'Wants', 'StartLimitIntervalSec', 'ConditionPathExists'],
  Service: [
    'Type',
    'NotifyAccess',
    'ExecStart',
    'Restart',
    'RestartSec',
    'WatchdogSec',
    'TimeoutStartSec',
    'TimeoutStopSec',
    'KillMode',
    'User',
    'Group',
    'SupplementaryGroups',
    'StateDirectory',
    'StateDirectoryMode',
    'WorkingDirectory',
    'Environment',
    'StandardOutput',
    'StandardError',
    'SyslogIdentifier',
    'LimitNOFILE',
    'NoNewPrivileges',
    'ProtectSystem',
    'ReadWritePaths',
    'ProtectHome',
    'PrivateTmp',
    'PrivateDevices',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectKernelLogs',
    'ProtectControlGroups',
    'ProtectClock',
    'ProtectHostname',
    'RestrictSUIDSGID',
    'RestrictRealtime',
    'RestrictNamespaces',
    'LockPersonality',
    'SystemCallArchitectures',
    'RestrictAddressFamilies',
    'AmbientCapabilities',
    'CapabilityBoundingSet',
    'UMask',
  ],
  Install: ['WantedBy'],
};

function one(unit: Unit, section: string, key: string): string | undefined {
  const values = unit.get(section)?.get(key);
  expect(values === undefined || values.length === 1, `${key} is set once`).toBe(true);
  return values?.[0];
}

function render(name: string, node = '/usr/bin/node'): string {
  return readFileSync(join(repo, 'installer/systemd', name), 'utf8').replaceAll('@NODE@', node);
}

function checkCommon(unit: Unit, name: string): void {
  expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
  for (const [section, keys] of unit) {
    for (const key of keys.keys()) expect(KNOWN[section], `${name}: [${section}] ${key}`).toContain(key);
  }
  const want: Record<string, string> = {
    Type: 'notify',
    NotifyAccess: 'all',
    Restart: 'always',
    RestartSec: '1',
    WatchdogSec: '30',
    KillMode: 'control-group',
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    StandardOutput: 'journal',
  };
  for (const [key, value] of Object.entries(want))
    expect(one(unit, 'Service', key), `${name}: ${key}`).toBe(value);
  expect(one(unit, 'Unit', 'StartLimitIntervalSec')).toBe('0');
  expect(one(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  // Debian's useradd, the unit and the installer agree on one user name.
  expect(one(unit, 'Service', 'Group')).toBe(one(unit, 'Service', 'User'));
  expect(one(unit, 'Service', 'ExecStart')).toMatch(/^\/\S+ \/opt\/farmhand(-pool)?\/current\/bin\/\S+\.js /);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('systemd units', () => {
  it('the agent unit has the watchdog, restart policy, hardening and only the three capabilities', () => {
    const unit = parseUnit(render(AGENT_UNIT));
    checkCommon(unit, AGENT_UNIT);
    expect(one(unit, 'Service', 'User')).toBe('farmhand');
    expect(one(unit, 'Service', 'StateDirectory')).toBe('farmhand');
    expect(one(unit, 'Service', 'ReadWritePaths')).toBe('/var/lib/farmhand');
    const caps = 'CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_NET_BROADCAST';
    expect(one(unit, 'Service', 'AmbientCapabilities')).toBe(caps);
    expect(one(unit, 'Service', 'CapabilityBoundingSet')).toBe(caps);
    expect(one(unit, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /opt/farmhand/current/bin/farmhand.js agent --config /etc/farmhand/agent.json --data-dir /var/lib/farmhand',
    );
    // V8's JIT writes executable memory: this option would crash node at start.
    expect(unit.get('Service')?.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('the pool template runs one role per instance with no capabilities', () => {
    const unit = parseUnit(render(POOL_UNIT));
    checkCommon(unit, POOL_UNIT);
    expect(one(unit, 'Service', 'User')).toBe('farmhand-pool');
    expect(one(unit, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /opt/farmhand-pool/current/bin/farmhand-pool.js %i --config /etc/farmhand-pool/%i.json',
    );
    expect(one(unit, 'Unit', 'ConditionPathExists')).toBe('/etc/farmhand-pool/%i.json');
    expect(one(unit, 'Service', 'CapabilityBoundingSet')).toBe('');
    expect(one(unit, 'Service', 'AmbientCapabilities')).toBe('');
  });

  it('the structural check catches a misspelt directive', () => {
    const bad = parseUnit(render(AGENT_UNIT).replace('WatchdogSec=30', 'WatchDogSec=30'));
    expect(() => checkCommon(bad, 'bad')).toThrow(/WatchDogSec/);
  });

  it('systemd-analyze verify accepts both units (run where systemd-analyze is installed)', () => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    const available = which.status === 0;
    // On a machine without systemd the structural checks above are the whole proof; say so.
    if (!available) {
      console.warn('systemd-analyze is not installed: units checked structurally only');
      expect(available).toBe(false);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-units-'));
    dirs.push(dir);
    writeFileSync(join(dir, AGENT_UNIT), render(AGENT_UNIT, process.execPath));
    writeFileSync(join(dir, POOL_UNIT), render(POOL_UNIT, process.execPath));
    const verify = (unit: string) =>
      spawnSync('systemd-analyze', ['verify', '--man=no', '--generators=no', join(dir, unit)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    for (const unit of [AGENT_UNIT, 'farmhand-pool@gateway.service']) {
      const r = verify(unit);
      // Lines about other units on this machine are not ours to judge.
      const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /farmhand/.test(l));
      expect({ unit, status: r.status, ours }).toEqual({ unit, status: 0, ours: [] });
    }
    // And it does complain about a broken unit, so a pass above means something.
    writeFileSync(
      join(dir, 'farmhand-broken.service'),
      render(AGENT_UNIT, process.execPath).replace('WatchdogSec=30', 'WatchDogSec=30'),
    );
    const broken = verify('farmhand-broken.service');
    expect(`${broken.stdout}${broken.stderr}`).toMatch(/Unknown key.*WatchDogSec/);
  });
});
