import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent, type RunningAgent } from '../../agent/src/commands/agent-command.js';
import { startFarm, type Farm } from '../../agent/src/sim/index.js';
import { REPO_ROOT } from '../support/fixtures.js';
import { startStratumEndpoint, type StratumEndpoint } from '../support/stratum-endpoint.js';

// The real `farmhand tui` in a real terminal (tmux), against a real agent and simulated miners:
// keys go in with send-keys, the screen comes back with capture-pane.

const SOCKET = `farmhand-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');

async function until(pred: (s: string) => boolean, what: string, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = screen();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
}

let agent: RunningAgent | undefined;
let farm: Farm | undefined;
let pool: StratumEndpoint | undefined;
const dir = mkdtempSync(join(tmpdir(), 'farmhand-tui-e2e-'));
afterAll(async () => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  await farm?.stop();
  await agent?.stop();
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('farmhand tui in a terminal', () => {
  it('shows the farm, then finds one miner by filtering', async () => {
    pool = await startStratumEndpoint({ difficulty: 1e-7 });
    const cfg = parseAgentConfig({
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: 0, minDifficulty: 1e-6, startDifficulty: 1e-6 },
      control: { port: 0 },
      upstreams: [`stratum+tcp://tech:x@127.0.0.1:${pool.port}`],
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    agent = await runAgent(cfg.value, pino({ level: 'silent' }));
    farm = await startFarm({
      miners: 10,
      pools: [`stratum+tcp://tech:x@127.0.0.1:${agent.agent.port}`],
      hashrate: 1000,
      apis: false,
    });
    // ink renders only the last frame when CI is set; a technician's terminal is not CI.
    const cmd = `env -u CI ${process.execPath} ${join(REPO_ROOT, 'agent/bin/farmhand.js')} tui --agent http://127.0.0.1:${agent.controlPort} --refresh 500 --ascii`;
    tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', cmd);

    const farmScreen = await until((s) => /Miners\s+10 total/.test(s), 'the farm screen with 10 miners');
    expect(farmScreen).toMatch(/\[1 Farm\]/);
    expect(farmScreen).toMatch(/Upstream\s+127\.0\.0\.1:\d+ CONNECTED/);
    const target = farm.miners[4]!.worker; // tech.bitaxe-1: workers are numbered per make

    tmux('send-keys', '-t', 'tui', '2');
    const list = await until(
      (s) => /10 miners/.test(s) && s.includes(target),
      'the miners screen listing every worker',
    );
    expect(list).toContain(farm.miners[0]!.worker);
    // "/" and then the whole filter in one burst, without waiting for the prompt: a pty may hand the
    // burst over in several reads, and none of its keys may overtake another ("1" is also "go to Farm").
    tmux('send-keys', '-t', 'tui', '/');
    tmux('send-keys', '-t', 'tui', '-l', target);
    await until((s) => s.includes(`filter: ${target}`), 'the typed filter', 5_000);
    tmux('send-keys', '-t', 'tui', 'Enter');
    const filtered = await until((s) => /\b1 miners?\b/.test(s) && s.includes(target), 'the filtered list');
    expect(filtered).not.toContain(farm.miners[0]!.worker);
    expect(filtered).toMatch(/\[2 Miners\]/); // the "1" in the burst typed, it did not switch screens

    tmux('send-keys', '-t', 'tui', 'q');
    const end = Date.now() + 10_000;
    while (Date.now() < end && spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', 'tui']).status === 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', 'tui']).status).not.toBe(0); // q quit the UI
  }, 60_000);
});
