// The files the installer lays down work with the real agent: the default agent.json loads and runs,
// the README names every key the schema knows, and a real SQLite share buffer survives an upgrade.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentConfig, runAgent } from '../../agent/src/commands/agent-command.js';
import { agentConfigSchema, parseAgentConfig } from '../../agent/src/config/index.js';
import { ShareStore } from '../../agent/src/store/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const installer = join(repo, 'installer/install.sh');
const log = pino({ level: 'silent' });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-installed-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function release(dir: string, version: string): string {
  const top = join(dir, 'src', `farmhand-${version}`);
  mkdirSync(join(top, 'bin'), { recursive: true });
  writeFileSync(join(top, 'package.json'), JSON.stringify({ name: 'farmhand', version, type: 'module' }));
  writeFileSync(join(top, 'bin', 'farmhand.js'), `console.log('farmhand ${version}');\n`);
  const tarball = join(dir, `farmhand-${version}.tar.gz`);
  expect(spawnSync('tar', ['-czf', tarball, '-C', join(dir, 'src'), `farmhand-${version}`]).status).toBe(0);
  return tarball;
}

function install(root: string, tarball: string): string {
  const r = spawnSync('sh', [installer, '--node', process.execPath, '--prefix', root, '--from', tarball], {
    encoding: 'utf8',
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describe('the installed default configuration', () => {
  it('is accepted by the agent as it stands and states exactly the defaults', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    install(root, release(dir, '0.1.0'));
    const config = loadAgentConfig({ config: join(root, 'etc/farmhand/agent.json') });
    const defaults = parseAgentConfig({ dataDir: '/var/lib/farmhand' });
    expect(defaults.ok).toBe(true);
    const { $comment, ...settings } = config;
    expect($comment).toMatch(/\/etc\/farmhand\/README/);
    expect(settings).toEqual(defaults.ok ? defaults.value : null);
    expect(config.stratum.port).toBe(3333);
    expect(config.control).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it('runs an agent whose health endpoint answers', async () => {
    const dir = workDir();
    const root = join(dir, 'root');
    install(root, release(dir, '0.1.0'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    // The flags the unit passes (--data-dir), plus free ports so the test does not collide.
    const config = loadAgentConfig({
      config: join(root, 'etc/farmhand/agent.json'),
      dataDir,
      stratumPort: 0,
      controlPort: 0,
    });
    const running = await runAgent({ ...config, stratum: { ...config.stratum, host: '127.0.0.1' } }, log);
    cleanups.push(() => running.stop());
    const res = await fetch(`http://127.0.0.1:${running.controlPort}/api/v1/health`);
    const health = (await res.json()) as { status: string; checks: Record<string, string> };
    // With no upstream configured the agent serves but calls itself degraded (503 for monitors).
    expect([res.status, health.status]).toEqual([503, 'degraded']);
    expect(health.checks.store).toBe('ok');
    expect(health.checks.upstream).toBe('none configured');
  });

  it('README names every key of the schema', () => {
    const readme = readFileSync(join(repo, 'installer/config/README-agent'), 'utf8');
    const keys: string[] = [];
    for (const [key, value] of Object.entries(agentConfigSchema.shape)) {
      if (key === '$comment') continue;
      // Sections are objects wrapped in prefault/default; their inner shape names the nested keys.
      const inner = (value as { unwrap?: () => unknown }).unwrap?.() as { shape?: Record<string, unknown> };
      if (inner?.shape && key !== 'upstreams')
        keys.push(...Object.keys(inner.shape).map((k) => `${key}.${k}`));
      else keys.push(key);
    }
    expect(keys).toContain('stratum.port');
    expect(keys).toContain('buffer.maxShares');
    for (const key of keys)
      expect(readme, `README-agent explains ${key}`).toMatch(
        new RegExp(`^  ${key.replace('.', '\\.')}\\b`, 'm'),
      );
  });
});

describe('the share buffer across an upgrade', () => {
  it('keeps unacknowledged shares in agent.sqlite and its -wal, readable by the new release', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    install(root, release(dir, '0.1.0'));
    const path = join(root, 'var/lib/farmhand/agent.sqlite');
    // Held open, as by an agent killed mid-run: the commits are still in the -wal file.
    const store = ShareStore.open(path);
    expect(store.ok).toBe(true);
    if (!store.ok) return;
    cleanups.push(() => store.value.close());
    for (let i = 0; i < 3; i++) {
      const r = store.value.append({
        account: 'farm',
        worker: `rig${i}`,
        jobId: '1',
        extranonce2: '00000000',
        ntime: '6553f100',
        nonce: `0000000${i}`,
        difficulty: 1024,
        block: false,
        at: 1_700_000_000_000 + i,
      });
      expect(r.ok).toBe(true);
    }
    const before = [readFileSync(path), readFileSync(`${path}-wal`)];
    expect(before[1]?.length).toBeGreaterThan(0);

    expect(install(root, release(dir, '0.2.0'))).toMatch(/upgraded farmhand to 0\.2\.0/);
    expect([readFileSync(path), readFileSync(`${path}-wal`)]).toEqual(before);
    const reopened = ShareStore.open(path);
    expect(reopened.ok).toBe(true);
    if (!reopened.ok) return;
    cleanups.push(() => reopened.value.close());
    expect(reopened.value.depth).toBe(3);
    expect(reopened.value.pending(10).map((s) => s.worker)).toEqual(['rig0', 'rig1', 'rig2']);
  });
});
