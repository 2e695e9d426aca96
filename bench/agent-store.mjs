// Share appends per second into the agent's SQLite buffer, synchronous=FULL vs NORMAL (WAL both),
// each append its own committed transaction as the miner-facing path does; and bytes on disk per row.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShareStore } from '../agent/dist/store/index.js';
import { report } from './report.mjs';

const BENCH = 'agent-store';
const MS = Number(process.argv[2] ?? 2000);
const share = (i) => ({
  account: 'acme',
  worker: `rack${i % 50}-s19`,
  jobId: (i >>> 6).toString(16).padStart(8, '0'),
  extranonce2: ((i * 2654435761) >>> 0).toString(16).padStart(16, '0'),
  ntime: '6553f100',
  nonce: ((i * 40503) >>> 0).toString(16).padStart(8, '0'),
  versionBits: '00002000',
  difficulty: 65536,
  shareDifficulty: 70000.5,
  block: false,
  at: 1_700_000_000_000 + i,
});

for (const synchronous of ['FULL', 'NORMAL']) {
  const dir = mkdtempSync(join(tmpdir(), 'fh-bench-store-'));
  const opened = ShareStore.open(join(dir, 'agent.db'), { synchronous });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < MS) {
    for (let k = 0; k < 50; k++) store.append(share(n++));
  }
  const perSecond = (n / (performance.now() - start)) * 1000;
  report(BENCH, `appends_per_s_${synchronous.toLowerCase()}`, perSecond, 'appends/s', {
    synchronous,
    journal: 'wal',
  });

  // Group commit: 50 shares per transaction, as GroupCommit writes a busy event-loop turn.
  let g = 0;
  const s1 = performance.now();
  while (performance.now() - s1 < MS / 2) {
    const batch = [];
    for (let k = 0; k < 50; k++) batch.push(share(n + g++));
    store.appendMany(batch);
  }
  n += g;
  report(
    BENCH,
    `group_commit_50_per_s_${synchronous.toLowerCase()}`,
    (g / (performance.now() - s1)) * 1000,
    'appends/s',
    { synchronous, batch: 50 },
  );

  // Steady state as under a live upstream: append, read pending in batches of 100, ack them.
  let m = 0;
  const s2 = performance.now();
  while (performance.now() - s2 < MS / 2) {
    for (let k = 0; k < 100; k++) store.append(share(n + m++));
    store.ack(store.pending(100).map((r) => r.seq));
  }
  report(
    BENCH,
    `append_ack_cycle_per_s_${synchronous.toLowerCase()}`,
    (m / (performance.now() - s2)) * 1000,
    'shares/s',
    { synchronous },
  );

  if (synchronous === 'FULL') {
    const rows = store.depth;
    store.close();
    const bytes = statSync(join(dir, 'agent.db')).size;
    report(BENCH, 'bytes_per_pending_share', bytes / rows, 'bytes', { rows });
  } else store.close();
  rmSync(dir, { recursive: true, force: true });
}
