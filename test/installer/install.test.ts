// installer/install.sh in a throwaway root (--prefix): the documented files, upgrade, uninstall, purge.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const installer = join(repo, 'installer/install.sh');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-installer-'));
  dirs.push(d);
  return d;
}

/** A release tarball shaped like the real one: one top directory holding the package. */
function release(dir: string, name: string, version: string): string {
  const top = join(dir, 'src', `${name}-${version}`);
  const bin = name === 'farmhand' ? 'farmhand.js' : 'farmhand-pool.js';
  mkdirSync(join(top, 'bin'), { recursive: true });
  writeFileSync(join(top, 'package.json'), JSON.stringify({ name, version, type: 'module' }));
  writeFileSync(join(top, 'bin', bin), `#!/usr/bin/env node\nconsole.log('${name} ${version}');\n`);
  const tarball = join(dir, `${name}-${version}.tar.gz`);
  const tar = spawnSync('tar', ['-czf', tarball, '-C', join(dir, 'src'), `${name}-${version}`]);
  expect(tar.status).toBe(0);
  return tarball;
}

function install(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('sh', [installer, '--node', process.execPath, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Every path under root, as the absolute path it stands for; a release tree counts as one entry. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory() && /^\/opt\/farmhand(-pool)?\/releases\/[^/]+$/.test(path))
        out.push(`${path}/`);
      else if (entry.isDirectory()) {
        const before = out.length;
        walk(path);
        // An empty directory (the fresh data directory) is listed itself.
        if (out.length === before) out.push(`${path}/`);
      } else out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/** The file list docs/install.md (or deploy-pool.md) promises, with <version> filled in. */
function documentedFiles(doc: string, marker: string, version: string): string[] {
  const text = readFileSync(join(repo, 'docs', doc), 'utf8');
  const block = text.split(`<!-- installed-files:${marker} -->`)[1]?.split('```text')[1]?.split('```')[0];
  expect(
    block,
    `docs/${doc} lists the installed files after <!-- installed-files:${marker} -->`,
  ).toBeDefined();
  return (block ?? '')
    .split('\n')
    .map((l) => l.trim().replace('<version>', version))
    .filter(Boolean)
    .sort();
}

describe('install.sh (agent)', () => {
  it('installs exactly the documented files, with rendered units and the default config', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    const r = install('--prefix', root, '--from', release(dir, 'farmhand', '0.1.0'));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/skipped under --prefix: useradd --system --user-group farmhand/);
    expect(r.out).toMatch(/skipped under --prefix: systemctl enable --now farmhand-agent.service/);

    expect(tree(root)).toEqual(documentedFiles('install.md', 'agent', '0.1.0'));
    expect(readlinkSync(join(root, 'opt/farmhand/current'))).toBe('releases/0.1.0');
    const unit = readFileSync(join(root, 'etc/systemd/system/farmhand-agent.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} /opt/farmhand/current/bin/farmhand.js agent --config /etc/farmhand/agent.json --data-dir /var/lib/farmhand`,
    );
    expect(unit).not.toContain('@NODE@');
    expect(readFileSync(join(root, 'etc/farmhand/agent.json'), 'utf8')).toBe(
      readFileSync(join(repo, 'installer/config/agent.json'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(root, 'etc/farmhand/agent.json'), 'utf8'))).toMatchObject({
      dataDir: '/var/lib/farmhand',
      stratum: { port: 3333 },
      control: { host: '127.0.0.1', port: 8080 },
    });
    expect(readFileSync(join(root, 'usr/local/bin/farmhand'), 'utf8')).toBe(
      `#!/bin/sh\nexec ${process.execPath} /opt/farmhand/current/bin/farmhand.js "$@"\n`,
    );
    expect(lstatSync(join(root, 'usr/local/bin/farmhand')).mode & 0o777).toBe(0o755);
    const manifest = readFileSync(join(root, 'opt/farmhand/manifest'), 'utf8');
    expect(manifest).toContain('config /etc/farmhand/agent.json\n');
    expect(manifest).toContain('data /var/lib/farmhand\n');
  });

  it('upgrades in place keeping config and the share buffer, then uninstalls keeping data, then purges', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    expect(install('--prefix', root, '--from', release(dir, 'farmhand', '0.1.0')).status).toBe(0);

    const config =
      '{ "stratum": { "port": 3334 }, "upstreams": ["stratum+tcp://me.rig:x@127.0.0.1:3333"] }\n';
    writeFileSync(join(root, 'etc/farmhand/agent.json'), config);
    const buffer = Buffer.from('SQLite format 3\0 unacknowledged shares');
    writeFileSync(join(root, 'var/lib/farmhand/agent.sqlite'), buffer);
    writeFileSync(join(root, 'var/lib/farmhand/agent.sqlite-wal'), buffer);

    const up = install('--prefix', root, '--from', release(dir, 'farmhand', '0.2.0'));
    expect(up.status, up.out).toBe(0);
    expect(up.out).toMatch(/upgraded farmhand to 0\.2\.0 \(was 0\.1\.0\)/);
    expect(readlinkSync(join(root, 'opt/farmhand/current'))).toBe('releases/0.2.0');
    expect(readFileSync(join(root, 'etc/farmhand/agent.json'), 'utf8')).toBe(config);
    expect(readFileSync(join(root, 'var/lib/farmhand/agent.sqlite'))).toEqual(buffer);
    expect(readFileSync(join(root, 'var/lib/farmhand/agent.sqlite-wal'))).toEqual(buffer);
    // The release just replaced stays for a rollback; one more upgrade drops it.
    expect(readdirSync(join(root, 'opt/farmhand/releases')).sort()).toEqual(['0.1.0', '0.2.0']);
    expect(install('--prefix', root, '--from', release(dir, 'farmhand', '0.3.0')).status).toBe(0);
    expect(readdirSync(join(root, 'opt/farmhand/releases')).sort()).toEqual(['0.2.0', '0.3.0']);
    expect(readFileSync(join(root, 'opt/farmhand/releases/0.3.0/bin/farmhand.js'), 'utf8')).toContain(
      "'farmhand 0.3.0'",
    );

    const un = install('--prefix', root, '--uninstall');
    expect(un.status, un.out).toBe(0);
    expect(un.out).toMatch(/kept \/etc\/farmhand and \/var\/lib\/farmhand/);
    const kept = tree(root).filter((p) => !p.endsWith('/'));
    expect(kept).toEqual([
      '/etc/farmhand/agent.json',
      '/var/lib/farmhand/agent.sqlite',
      '/var/lib/farmhand/agent.sqlite-wal',
    ]);
    expect(readFileSync(join(root, 'etc/farmhand/agent.json'), 'utf8')).toBe(config);

    const purge = install('--prefix', root, '--uninstall', '--purge');
    expect(purge.status, purge.out).toBe(0);
    expect(existsSync(join(root, 'etc/farmhand'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/farmhand'))).toBe(false);
    expect(tree(root).filter((p) => !p.endsWith('/'))).toEqual([]);
    expect(install('--prefix', root, '--uninstall').status).not.toBe(0);
  });

  it('purges in one step from an installed state', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    expect(install('--prefix', root, '--from', release(dir, 'farmhand', '0.1.0')).status).toBe(0);
    writeFileSync(join(root, 'var/lib/farmhand/agent.sqlite'), 'x');
    const r = install('--prefix', root, '--uninstall', '--purge');
    expect(r.status, r.out).toBe(0);
    expect(existsSync(join(root, 'var/lib/farmhand'))).toBe(false);
    expect(existsSync(join(root, 'etc/farmhand'))).toBe(false);
    expect(existsSync(join(root, 'opt/farmhand'))).toBe(false);
  });

  it('installs from an npm package (here a packed tarball, so no registry is needed)', () => {
    const dir = workDir();
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'farmhand', version: '0.4.0', bin: { farmhand: 'bin/farmhand.js' } }),
    );
    writeFileSync(join(pkg, 'bin/farmhand.js'), "#!/usr/bin/env node\nconsole.log('farmhand 0.4.0');\n");
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir], { cwd: pkg, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const root = join(dir, 'root');
    const r = install('--prefix', root, '--npm', join(dir, 'farmhand-0.4.0.tgz'));
    expect(r.status, r.out).toBe(0);
    expect(tree(root)).toEqual(documentedFiles('install.md', 'agent', '0.4.0'));
    expect(readFileSync(join(root, 'opt/farmhand/current/bin/farmhand.js'), 'utf8')).toContain(
      'farmhand 0.4.0',
    );
  });

  it('refuses bad input with a plain message and leaves nothing behind', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    const wrong = install('--prefix', root, '--from', release(dir, 'farmhand-pool', '0.1.0'));
    expect(wrong.status).not.toBe(0);
    expect(wrong.out).toMatch(/the release is farmhand-pool, not farmhand \(use --pool/);
    expect(existsSync(join(root, 'opt/farmhand'))).toBe(false);
    expect(install('--prefix', root, '--from', join(dir, 'missing.tar.gz')).out).toMatch(
      /release tarball .* not found/,
    );
    expect(install('--prefix', root, '--purge').out).toMatch(/--purge goes with --uninstall/);
    expect(install('--prefix', root, '--bogus').out).toMatch(/unknown option --bogus/);
  });
});

describe('install.sh --pool', () => {
  it('installs the documented files and the role template, and keeps role configs on uninstall', () => {
    const dir = workDir();
    const root = join(dir, 'root');
    const r = install('--pool', '--prefix', root, '--from', release(dir, 'farmhand-pool', '0.1.0'));
    expect(r.status, r.out).toBe(0);
    expect(tree(root)).toEqual(documentedFiles('deploy-pool.md', 'pool', '0.1.0'));
    const unit = readFileSync(join(root, 'etc/systemd/system/farmhand-pool@.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} /opt/farmhand-pool/current/bin/farmhand-pool.js %i --config /etc/farmhand-pool/%i.json`,
    );

    writeFileSync(join(root, 'etc/farmhand-pool/gateway.json'), '{}\n');
    expect(install('--pool', '--prefix', root, '--from', release(dir, 'farmhand-pool', '0.2.0')).status).toBe(
      0,
    );
    expect(readFileSync(join(root, 'etc/farmhand-pool/gateway.json'), 'utf8')).toBe('{}\n');
    expect(install('--pool', '--prefix', root, '--uninstall').status).toBe(0);
    expect(tree(root).filter((p) => !p.endsWith('/'))).toEqual(['/etc/farmhand-pool/gateway.json']);
  });
});
