// The supervisor as its own process (the compiled pool module, as `farmhand-pool run` uses it):
// signals reach the roles, and a stop leaves no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const poolSupervisor = fileURLToPath(new URL('../../pool/dist/supervisor/index.js', import.meta.url));
// Child processes run the compiled module: `npm test` builds it first (tsc -b).
if (!existsSync(poolSupervisor))
  throw new Error(`${poolSupervisor} is missing: run npx tsc -b before this test`);
const poolBin = fileURLToPath(new URL('../../pool/bin/farmhand-pool.js', import.meta.url));

// parent: starts a grandchild in its own process group; stubborn: ignores SIGTERM; polite: says
// which signal it got, then exits.
const SUPERVISOR = `
const { runSupervised } = await import(process.env.POOL_SUPERVISOR);
const node = process.execPath;
const parent = "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('pid=' + process.pid + ' grandchild=' + c.pid); setInterval(() => {}, 1000);";
const stubborn = "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('pid=' + process.pid); setInterval(() => {}, 1000);";
const polite = "for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { console.log('got ' + s); process.exit(0); }); console.log('pid=' + process.pid); setInterval(() => {}, 1000);";
const code = await runSupervised(
  [
    { name: 'parent', command: node, args: ['-e', parent] },
    { name: 'stubborn', command: node, args: ['-e', stubborn] },
    { name: 'polite', command: node, args: ['-e', polite] },
  ],
  { killTimeoutMs: 500 },
);
console.log('supervisor done ' + code);
process.exit(code);
`;

const started: ChildProcess[] = [];
const dirs: string[] = [];
const pidsToReap: number[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of pidsToReap.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A zombie is dead; only its parent's wait() is missing (pid 1 in a container may never reap).
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 25) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startSupervisor() {
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-sup-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'supervisor.mjs'), SUPERVISOR);
  const sup = spawn(process.execPath, [join(dir, 'supervisor.mjs')], {
    env: { ...process.env, POOL_SUPERVISOR: poolSupervisor, NOTIFY_SOCKET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(sup);
  const out: string[] = [];
  createInterface({ input: sup.stdout }).on('line', (l) => out.push(l));
  sup.stderr.resume();
  await waitFor(
    () =>
      ['[parent] pid=', '[stubborn] pid=', '[polite] pid='].every((p) => out.some((l) => l.startsWith(p))),
    'all roles to start',
  );
  const pids = out.flatMap((l) => [...l.matchAll(/(?:pid|grandchild)=(\d+)/g)].map((m) => Number(m[1])));
  pidsToReap.push(...pids);
  return { sup, out, pids };
}

describe('supervisor process', () => {
  it('on SIGTERM stops every role, kills the one that ignores it, and leaves no orphan', async () => {
    const { sup, out, pids } = await startSupervisor();
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);

    sup.kill('SIGTERM');
    await waitFor(() => sup.exitCode !== null, 'the supervisor to exit');
    expect(sup.exitCode).toBe(0);
    expect(out).toContain('[stubborn] ignoring SIGTERM');
    expect(out).toContain('[polite] got SIGTERM');
    expect(out).toContain('supervisor done 0');
    await waitFor(() => !pids.some(alive), 'every role and grandchild to be gone', 5000);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('forwards SIGINT to the roles', async () => {
    const { sup, out, pids } = await startSupervisor();
    sup.kill('SIGINT');
    await waitFor(() => sup.exitCode !== null, 'the supervisor to exit');
    expect(out).toContain('[polite] got SIGINT');
    await waitFor(() => !pids.some(alive), 'every process to be gone', 5000);
  });

  it('stops the roles with SIGTERM when its terminal goes away (SIGHUP)', async () => {
    const { sup, out, pids } = await startSupervisor();
    sup.kill('SIGHUP');
    await waitFor(() => sup.exitCode !== null, 'the supervisor to exit');
    expect(sup.exitCode).toBe(0);
    expect(out).toContain('[polite] got SIGTERM');
    await waitFor(() => !pids.some(alive), 'every process to be gone', 5000);
  });

  it('farmhand-pool run refuses an unknown role with a plain message', async () => {
    const p = spawn(process.execPath, [poolBin, 'run', '--roles', 'gateway,miner'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(p);
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await waitFor(() => p.exitCode !== null, 'farmhand-pool run to exit');
    expect(p.exitCode).toBe(2);
    expect(err).toMatch(/unknown role "miner"/);
  });
});
