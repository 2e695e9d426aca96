import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';

// The README's first command, headless: the whole farm comes up, shares flow through agent and pool,
// and SIGINT stops every process it started.

const dir = mkdtempSync(join(tmpdir(), 'farmhand-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function childPids(pid: number): number[] {
  try {
    const out = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return out ? out.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('farmhand demo', () => {
  it('runs a farm on embedded defaults and stops cleanly on Ctrl-C', async () => {
    const demo = spawn(
      process.execPath,
      [join(REPO_ROOT, 'agent/bin/farmhand.js'), 'demo', '--no-tui', '--miners', '10', '--data-dir', dir],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    const seen: number[] = [];
    let descendants: number[] = [];
    demo.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /(\d+) shares accepted/.exec(c.toString());
      if (m) seen.push(Number(m[1]));
    });
    // Wait for shares to flow (bounded), remembering every process the demo started.
    for (let i = 0; i < 120 && !(seen.at(-1)! > 0); i++) {
      await new Promise((r) => setTimeout(r, 500));
      const kids = childPids(demo.pid!);
      descendants = [...new Set([...descendants, ...kids, ...kids.flatMap(childPids)])];
    }
    expect(err).toMatch(/pool side: fake bitcoind, jobmaster, gateway/);
    expect(seen.at(-1)).toBeGreaterThan(0);
    expect(descendants.length).toBeGreaterThanOrEqual(2); // fake bitcoind and the pool supervisor (and its roles)

    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toMatch(/stopped; logs and the SQLite store are in/);
    await new Promise((r) => setTimeout(r, 500));
    expect(descendants.filter(alive)).toEqual([]);
    // The pool side really mined: the gateway credited the agent's shares (its log says so).
    const poolLog = readFileSync(join(dir, 'demo.log'), 'utf8');
    expect(poolLog).toMatch(/\[pool\]/);
  }, 90_000);
});
