import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent, type RunningAgent } from '../../agent/src/commands/agent-command.js';
import { startFarm, type Farm } from '../../agent/src/sim/index.js';
import { startStratumEndpoint } from '../support/stratum-endpoint.js';
import { UplinkPeer, testJobMessage, waitFor } from '../support/uplink-peer.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-agent-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function agentWith(
  upstreams: string[],
  dataDir = tempDir(),
  stratum: Record<string, number> = {},
): Promise<RunningAgent> {
  const cfg = parseAgentConfig({
    dataDir,
    stratum: {
      host: '127.0.0.1',
      port: 0,
      minDifficulty: 1e-6,
      startDifficulty: 1e-6,
      targetShareSeconds: 2,
      ...stratum,
    },
    control: { port: 0 },
    upstreams,
    upstreamGraceSeconds: 60,
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const running = await runAgent(cfg.value, log);
  cleanups.push(() => running.stop());
  return running;
}

async function farm(port: number, miners: number, account = 'farm'): Promise<Farm> {
  const f = await startFarm({
    miners,
    pools: [`stratum+tcp://${account}:x@127.0.0.1:${port}`],
    hashrate: 2000,
    apis: false,
    suggestDifficulty: 1e-6,
    rampMs: 500,
  });
  cleanups.push(() => f.stop());
  return f;
}

async function api<T>(r: RunningAgent, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${r.controlPort}${path}`);
  return (await res.json()) as T;
}

describe('agent end to end', () => {
  it('200 simulated miners → agent → plain stratum pool: every accepted share reaches the pool once', async () => {
    const pool = await startStratumEndpoint({ difficulty: 1e-7 });
    cleanups.push(() => pool.close());
    const agent = await agentWith([`stratum+tcp://acct:x@127.0.0.1:${pool.port}`]);
    const perWorker = new Map<string, number>();
    agent.agent.server.on('share', (e: { worker: string; verdict: { kind: string } }) => {
      if (e.verdict.kind === 'accepted') perWorker.set(e.worker, (perWorker.get(e.worker) ?? 0) + 1);
    });
    const f = await farm(agent.agent.port, 200);
    await waitFor(() => agent.agent.server.stats().connections === 200, '200 miners connected', 20_000);
    await waitFor(() => agent.agent.server.stats().sharesAccepted >= 300, '300 accepted shares', 30_000);
    await f.stop();
    await waitFor(() => agent.agent.store.depth === 0, 'buffer drained', 10_000);
    const accepted = agent.agent.server.stats().sharesAccepted;
    expect(pool.accepted().length).toBe(accepted);
    expect(pool.rejected().length).toBe(0);
    // Per worker: the pool credits each miner under the URL's account ("acct.<worker>"), exactly the
    // shares the agent accepted from it.
    expect(perWorker.size).toBeGreaterThan(100);
    for (const [w, n] of perWorker) expect({ w, n: pool.accepted(`acct.${w}`).length }).toEqual({ w, n });
    const summary = await api<{
      shares: { accepted: number };
      upstream: { active: string; buffered: number };
      hashrate: { m1: number };
    }>(agent, '/api/v1/summary');
    expect(summary.shares.accepted).toBe(accepted);
    expect(summary.upstream.active).toBe(`127.0.0.1:${pool.port}`);
    expect(summary.upstream.buffered).toBe(0);
    expect(summary.hashrate.m1).toBeGreaterThan(0);
  });

  it('miners → agent → uplink peer: shares credited once per worker, equal to what the agent accepted', async () => {
    const peer = new UplinkPeer(
      { tokens: { 'farm-1': 'secret-token-123' }, difficulty: 1e-7, extranonce2Size: 8 },
      testJobMessage(1, true, 1e-7),
    );
    const port = await peer.listen();
    cleanups.push(() => peer.close());
    const agent = await agentWith([`farmhand+tcp://farm-1:secret-token-123@127.0.0.1:${port}`]);
    const f = await farm(agent.agent.port, 20, 'alice');
    await waitFor(() => agent.agent.server.stats().sharesAccepted >= 60, '60 accepted shares', 30_000);
    await f.stop();
    await waitFor(() => agent.agent.store.depth === 0, 'buffer drained', 10_000);
    const perWorker = new Map<string, number>();
    for (const s of peer.credited.values())
      perWorker.set(s.workerName, (perWorker.get(s.workerName) ?? 0) + 1);
    const agentPerWorker = new Map<string, number>();
    for (const m of (await api<{ items: { worker: string; accepted: number }[] }>(agent, '/api/v1/workers'))
      .items)
      agentPerWorker.set(m.worker, m.accepted);
    // Disconnected miners leave the session list; compare against the store-backed totals instead.
    expect(peer.credited.size).toBe(agent.agent.server.stats().sharesAccepted);
    expect([...perWorker.keys()].every((w) => w.startsWith('alice.'))).toBe(true);
    expect(perWorker.size).toBeGreaterThan(5);
  });

  it('vardiff converges: miners started far too easy settle near one share per target interval', async () => {
    const pool = await startStratumEndpoint({ difficulty: 1e-8 });
    cleanups.push(() => pool.close());
    const agent = await agentWith([`stratum+tcp://acct:x@127.0.0.1:${pool.port}`], tempDir(), {
      minDifficulty: 1e-8,
      startDifficulty: 1e-7,
      retargetSeconds: 2,
    });
    // 2000 H/s at 2 s per share settles at 2000·2/2^32 ≈ 9.3e-7, nine times the start. No make here
    // suggests a difficulty, so only vardiff moves it.
    const f = await startFarm({
      miners: 20,
      pools: [`stratum+tcp://farm:x@127.0.0.1:${agent.agent.port}`],
      hashrate: 2000,
      apis: false,
      makes: ['antminer', 'whatsminer', 'avalon', 'braiins'],
    });
    cleanups.push(() => f.stop());
    await waitFor(
      () => agent.agent.server.sessions().filter((s) => s.authorized).length === 20,
      'miners authorized',
      20_000,
    );
    expect(agent.agent.server.sessions().filter((s) => s.difficulty === 1e-7).length).toBeGreaterThan(10);
    await waitFor(
      () => agent.agent.server.sessions().filter((s) => (s.difficulty ?? 0) >= 4e-7).length >= 16,
      'difficulty raised for most miners',
      30_000,
    );
    const diffs = agent.agent.server.sessions().map((s) => s.difficulty ?? 0);
    expect(diffs.every((d) => d <= 4e-6)).toBe(true);
    await f.stop();
  });

  it('the control API needs a token off loopback and answers health, miners and metrics', async () => {
    const pool = await startStratumEndpoint({ difficulty: 1e-7 });
    cleanups.push(() => pool.close());
    const agent = await agentWith([`stratum+tcp://acct:x@127.0.0.1:${pool.port}`]);
    const f = await farm(agent.agent.port, 10);
    await waitFor(() => agent.agent.server.stats().sharesAccepted >= 10, '10 accepted shares', 20_000);
    const health = await api<{ status: string }>(agent, '/api/v1/health');
    expect(health.status).toBe('ok');
    const miners = await api<{ total: number; items: { worker: string; status: string }[] }>(
      agent,
      '/api/v1/miners?filter=antminer&limit=100',
    );
    expect(miners.total).toBe(2); // 10 miners over five makes
    expect(miners.items.every((m) => m.worker.includes('antminer'))).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${agent.controlPort}/metrics`)).text();
    expect(metrics).toMatch(/farmhand_miners_connected 10/);
    expect(metrics).toMatch(/farmhand_shares_total\{result="accepted",reason=""\} \d+/);
    const bad = await fetch(`http://127.0.0.1:${agent.controlPort}/api/v1/nothing`);
    expect(bad.status).toBe(404);
    await f.stop();
    const cfg = parseAgentConfig({
      dataDir: tempDir(),
      stratum: { port: 0 },
      control: { host: '0.0.0.0', port: 0 },
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    await expect(runAgent(cfg.value, log)).rejects.toThrow(/control.token/);
  });
});
