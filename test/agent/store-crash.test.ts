import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShareStore } from '../../agent/src/store/index.js';

// A child appends shares as fast as it can and prints each seq once append() has returned; it is
// killed with SIGKILL mid-stream. Every printed seq must be in the reopened file, exactly once.
// The child runs the compiled store (agent/dist, built by `tsc -b`, which `npm test` runs first).
const storeModule = fileURLToPath(new URL('../../agent/dist/store/index.js', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fh-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ShareStore crash safety', () => {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    it(`kill -9 loses no share whose append returned (synchronous=${synchronous})`, async () => {
      expect(existsSync(storeModule), 'run `npx tsc -b` first').toBe(true);
      const db = join(dir, 'agent.db');
      const child = join(dir, 'child.mjs');
      writeFileSync(
        child,
        `import { writeSync } from 'node:fs';
import { ShareStore } from ${JSON.stringify(storeModule)};
const s = ShareStore.open(${JSON.stringify(db)}, { synchronous: ${JSON.stringify(synchronous)} });
if (!s.ok) { console.error(s.error.message); process.exit(2); }
for (let i = 0; ; i++) {
  const r = s.value.append({ account: 'acme', worker: 'w', jobId: '0000001f', extranonce2: '00', ntime: '6553f100',
    nonce: (i >>> 0).toString(16).padStart(8, '0'), difficulty: 1, block: false, at: i });
  if (!r.ok) process.exit(3);
  writeSync(1, r.value + '\\n');
}
`,
      );
      const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
      const printed: number[] = [];
      let buf = '';
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) printed.push(Number(l));
          if (printed.length >= 400 && !proc.killed) proc.kill('SIGKILL');
        });
        proc.on('exit', (code, signal) =>
          signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`)),
        );
      });
      expect(printed.length).toBeGreaterThanOrEqual(400);
      const reopened = ShareStore.open(db);
      expect(reopened.ok).toBe(true);
      if (!reopened.ok) return;
      const rows = reopened.value.pending(1_000_000);
      const seqs = new Set(rows.map((r) => r.seq));
      const missing = printed.filter((s) => !seqs.has(s));
      expect(missing).toEqual([]);
      expect(new Set(rows.map((r) => r.nonce)).size).toBe(rows.length); // no share stored twice
      expect(rows.map((r) => r.seq)).toEqual([...seqs].sort((a, b) => a - b));
      const next = reopened.value.append({
        account: 'a',
        worker: 'w',
        jobId: '1',
        extranonce2: '00',
        ntime: '00000000',
        nonce: '00000000',
        difficulty: 1,
        block: false,
        at: 0,
      });
      expect(next.ok && next.value > Math.max(...printed)).toBe(true);
      reopened.value.close();
    });
  }
});
