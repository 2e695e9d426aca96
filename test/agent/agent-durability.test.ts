import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { bytesToHex } from '@farmhand/core/bitcoin';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent } from '../../agent/src/commands/agent-command.js';
import { startFarm } from '../../agent/src/sim/index.js';
import { UplinkPeer, testJobMessage, waitFor, type CreditedShare } from '../support/uplink-peer.js';
import { REPO_ROOT } from '../support/fixtures.js';

// Nothing acknowledged to a miner is lost, nothing is credited twice: across an upstream outage
// and across a kill -9 of the agent itself.

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-durability-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A share's identity as the gateway would judge it: two credits of one identity are a double count. */
function identity(s: CreditedShare): string {
  return `${s.workerName}/${s.jobId}/${bytesToHex(s.extranonce2)}/${s.ntimeDelta}/${s.nonce}/${s.versionBits}`;
}

async function newPeer(port = 0): Promise<{ peer: UplinkPeer; port: number }> {
  const peer = new UplinkPeer(
    { tokens: { farm: 'durability-token-1' }, difficulty: 1e-7, extranonce2Size: 8 },
    testJobMessage(1, true, 1e-7),
  );
  const bound = await peer.listen(port);
  cleanups.push(() => peer.close());
  return { peer, port: bound };
}

describe('agent durability', () => {
  it('upstream outage: miners stay connected, buffered shares arrive exactly once after it returns', async () => {
    const { peer, port } = await newPeer();
    const cfg = parseAgentConfig({
      dataDir: tempDir(),
      stratum: {
        host: '127.0.0.1',
        port: 0,
        minDifficulty: 1e-6,
        startDifficulty: 1e-6,
        targetShareSeconds: 2,
      },
      control: { port: 0 },
      upstreams: [`farmhand+tcp://farm:durability-token-1@127.0.0.1:${port}`],
      upstreamGraceSeconds: 120,
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const running = await runAgent(cfg.value, log);
    cleanups.push(() => running.stop());
    const farm = await startFarm({
      miners: 20,
      pools: [`stratum+tcp://acct:x@127.0.0.1:${running.agent.port}`],
      hashrate: 3000,
      apis: false,
      suggestDifficulty: 1e-6,
    });
    cleanups.push(() => farm.stop());
    const server = running.agent.server;
    await waitFor(() => peer.credited.size >= 30, 'shares credited before the outage', 20_000);

    await peer.close(); // the link and the gateway's listener are gone
    const atCut = server.stats().sharesAccepted;
    await waitFor(
      () => server.stats().sharesAccepted >= atCut + 30,
      'shares accepted during the outage',
      20_000,
    );
    expect(server.stats().connections).toBe(20); // miners keep working on the last job
    expect(running.agent.store.depth).toBeGreaterThan(0);
    expect(server.suspended).toBe(true);

    await peer.listen(port); // the same gateway comes back (it remembers what it credited)
    await waitFor(() => !server.suspended, 'upstream back', 20_000);
    await farm.stop();
    await waitFor(() => running.agent.store.depth === 0, 'buffer drained', 20_000);
    const credited = [...peer.credited.values()];
    expect(credited.length).toBe(server.stats().sharesAccepted);
    expect(new Set(credited.map(identity)).size).toBe(credited.length);
    expect(farm.totals().accepted).toBe(server.stats().sharesAccepted);
  });

  it('kill -9 under load: every share acknowledged to a miner reaches the gateway, none twice', async () => {
    const { peer, port } = await newPeer();
    const dataDir = tempDir();
    const stratumPort = await freePort();
    const args = [
      join(REPO_ROOT, 'agent/bin/farmhand.js'),
      'agent',
      '--data-dir',
      dataDir,
      '--stratum-port',
      String(stratumPort),
      '--control-port',
      '0',
      '--upstream',
      `farmhand+tcp://farm:durability-token-1@127.0.0.1:${port}`,
      '--min-difficulty',
      '1e-6',
      '--start-difficulty',
      '1e-6',
      '--log-level',
      'error',
    ];
    const start = (): ChildProcess => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      cleanups.push(() => {
        child.kill('SIGKILL');
      });
      return child;
    };
    let agent = start();
    const farm = await startFarm({
      miners: 20,
      pools: [`stratum+tcp://acct:x@127.0.0.1:${stratumPort}`],
      hashrate: 3000,
      apis: false,
      suggestDifficulty: 1e-6,
      backoffMinMs: 200,
      backoffMaxMs: 1000,
    });
    cleanups.push(() => farm.stop());
    await waitFor(() => peer.credited.size >= 20, 'shares credited', 30_000);
    peer.holdAcks = true; // the gateway stops acknowledging: the agent's buffer fills
    const held = peer.credited.size;
    await waitFor(
      () => farm.totals().accepted >= held + 40,
      'shares acknowledged to miners while acks are held',
      30_000,
    );

    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    const acknowledged = farm.totals().accepted; // every "true" a miner heard before the crash
    peer.holdAcks = false;
    agent = start();
    await waitFor(
      () => farm.totals().accepted >= acknowledged + 20,
      'miners back on the restarted agent',
      30_000,
    );
    await farm.stop();
    const total = farm.totals().accepted;
    await waitFor(() => peer.credited.size >= total, 'every acknowledged share credited', 30_000);
    const credited = [...peer.credited.values()];
    expect(credited.length).toBe(total);
    expect(new Set(credited.map(identity)).size).toBe(credited.length);
    expect(peer.recordsReceived).toBeGreaterThan(credited.length); // the un-acked ones were replayed
  });
});
