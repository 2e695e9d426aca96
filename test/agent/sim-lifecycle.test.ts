import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { simHarness, tcpText as tcp } from './sim-harness.js';

// Reboots, slow APIs and the `farmhand sim` command end to end.

const { endpoint, startFarm } = simHarness();

describe('simulated miner lifecycle', () => {
  it('reboot drops Stratum and the API, then both come back with counters reset', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 1,
      makes: ['avalon'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 400_000,
    });
    const m = farm.miners[0]!;
    await pool.until(() => m.stats.accepted >= 1, 20_000);
    farm.setFault(m.name, { kind: 'reboot', downMs: 400 });
    expect(m.stats.currentPool).toBeNull();
    await pool.until(() => pool.sessions[0]!.socket.destroyed, 5_000);
    await expect(tcp(m.apiPort!, '{"command":"summary"}')).rejects.toThrow(/ECONNREFUSED/);
    await pool.until(() => pool.sessions.length === 2 && m.stats.currentPool !== null, 10_000);
    const summary = JSON.parse((await tcp(m.apiPort!, '{"command":"summary"}')).slice(0, -1)) as {
      SUMMARY: { Elapsed: number }[];
    };
    expect(summary.SUMMARY[0]!.Elapsed).toBeLessThan(60);
  });

  it('slow-api: the faulty miner answers after a healthy one asked later', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 2,
      makes: ['braiins'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 1,
    });
    const [slow, fast] = farm.miners;
    farm.setFault(slow!.name, { kind: 'slow-api', delayMs: 500 });
    const order: string[] = [];
    const a = tcp(slow!.apiPort!, '{"command":"version"}').then((r) =>
      order.push(`slow:${r.endsWith('\0')}`),
    );
    await new Promise((r) => setTimeout(r, 20));
    const b = tcp(fast!.apiPort!, '{"command":"version"}').then((r) =>
      order.push(`fast:${r.endsWith('\0')}`),
    );
    await Promise.all([a, b]);
    expect(order).toEqual(['fast:true', 'slow:true']);
  });

  it('farmhand sim runs a farm against the given pool and stops cleanly on SIGINT', async () => {
    const pool = await endpoint();
    const child = spawn(
      process.execPath,
      [
        `${REPO_ROOT}/agent/bin/farmhand.js`,
        'sim',
        '--miners',
        '3',
        '--pool',
        `stratum+tcp://127.0.0.1:${pool.port}`,
        '--hashrate',
        '400000',
        '--account',
        'cli',
        '--interval',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await pool.until(
        () =>
          ['cli.antminer-1', 'cli.braiins-1', 'cli.whatsminer-1'].every((w) => pool.accepted(w).length >= 1),
        20_000,
      );
      await pool.until(() => /connected 3\/3 accepted \d+ rejected 0/.test(out), 10_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
