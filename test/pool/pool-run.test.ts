// `farmhand-pool run` as an operator runs it: the real CLI (compiled), a fake bitcoind started here, a
// miner that really searches nonces on the stratum port. Needs `npx tsc -b` first (the CLI runs dist/).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { Redis } from 'ioredis';
import { freePort, startRedis } from '../support/redis.js';
import { TestAgent, TestMiner, until } from './gateway-peers.js';

const BIN = fileURLToPath(new URL('../../pool/bin/farmhand-pool.js', import.meta.url));
const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-run-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function cli(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args], { encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stderr: r.stderr };
}

/** As cli(), without blocking this process (whose fake bitcoind must answer meanwhile). */
async function cliAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stderr };
}

/** `farmhand-pool run` in the background; its lines collected; stopped (SIGTERM) after the test. */
function runPool(args: string[]): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const s of [child.stdout!, child.stderr!])
    s.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  cleanup.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 8000);
    await gone;
    clearTimeout(t);
  });
  return { child, lines };
}

function pidsOf(lines: string[], role: string): number[] {
  const re = new RegExp(`^\\[supervisor\\] ${role} started \\(pid (\\d+)\\)`);
  return lines.flatMap((l) => {
    const m = re.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/** Resolves once something accepts connections on the port (the gateway starts, or restarts). */
async function listening(port: number, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (up) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function minerOn(port: number, user: string): Promise<TestMiner> {
  await listening(port);
  const m = new TestMiner(port, user);
  cleanup.push(() => m.close());
  await m.start();
  return m;
}

describe('farmhand-pool run (small pool)', () => {
  it('refuses bad flags with messages naming the flag', () => {
    const noCreds = cli(['--payout-address', PAYOUT, '--bitcoind-url', 'http://127.0.0.1:1']);
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toMatch(/--bitcoind-url has no credentials/);
    const noAddr = cli(['--bitcoind-url', 'http://u:p@127.0.0.1:1']);
    expect(noAddr.code).toBe(2);
    expect(noAddr.stderr).toMatch(/--payout-address is required/);
    const badDiff = cli([
      '--payout-address',
      PAYOUT,
      '--bitcoind-url',
      'http://u:p@127.0.0.1:1',
      '--min-difficulty',
      '-1',
    ]);
    expect(badDiff.stderr).toMatch(/--min-difficulty -1: expected a positive number/);
    const tokenNoPort = cli([
      '--payout-address',
      PAYOUT,
      '--bitcoind-url',
      'http://u:p@127.0.0.1:1',
      '--agent-token',
      'farm-1:secret-token',
    ]);
    expect(tokenNoPort.stderr).toMatch(/--agent-token needs --uplink-port/);
    const shortToken = cli([
      '--payout-address',
      PAYOUT,
      '--bitcoind-url',
      'http://u:p@127.0.0.1:1',
      '--uplink-port',
      '4444',
      '--agent-token',
      'farm-1:short',
    ]);
    expect(shortToken.stderr).toMatch(/at least 8 characters/);
    const mixed = cli(['--payout-address', PAYOUT, '--roles', 'gateway']);
    expect(mixed.stderr).toMatch(/Give one or the other/);
  });

  it('asks the node its chain: an unreachable node or a wrong-network address stops it at once', async () => {
    const fake = new FakeBitcoind({ user: 'u', password: 'p' });
    const { port } = await fake.listen();
    cleanup.push(() => fake.close());
    const dir = tempDir();
    const mainnet = await cliAsync([
      '--bitcoind-url',
      `http://u:p@127.0.0.1:${port}`,
      '--payout-address',
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      '--data-dir',
      dir,
    ]);
    expect(mainnet.code).toBe(1);
    expect(mainnet.stderr).toMatch(/is not a regtest address \(the node is on regtest\)/);
    const down = await cliAsync([
      '--bitcoind-url',
      `http://u:p@127.0.0.1:${await freePort()}`,
      '--payout-address',
      PAYOUT,
      '--data-dir',
      dir,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot ask the node its chain/);
  });

  it('mines a block accepted by the node; a killed gateway is back and serving', async () => {
    const fake = new FakeBitcoind({ user: 'u', password: 'p' });
    const { port } = await fake.listen();
    cleanup.push(() => fake.close());
    const dir = tempDir();
    const stratumPort = await freePort();
    const uplinkPort = await freePort();
    const { lines } = runPool([
      '--bitcoind-url',
      `http://u:p@127.0.0.1:${port}`,
      '--payout-address',
      PAYOUT,
      '--stratum-port',
      String(stratumPort),
      '--uplink-port',
      String(uplinkPort),
      '--agent-token',
      'farm-1:farm-1-secret',
      '--listen-host',
      '127.0.0.1',
      '--min-difficulty',
      '1e-6',
      '--data-dir',
      dir,
    ]);
    const miner = await minerOn(stratumPort, 'solo.rig1');
    expect(miner.difficulty).toBe(1e-6);
    // Regtest bits (207fffff): every share at 1e-6 is also a block.
    const share = await miner.submit();
    expect(share.ok).toBe(true);
    await until(() => fake.acceptedBlocks().length > 0, 10_000, 'a block at the node');
    const block = fake.acceptedBlocks()[0]!;
    expect(block.best).toBe(true);
    expect(block.height).toBe(108);
    // The generated configs carry the node's password and agent tokens: owner-only.
    expect(statSync(join(dir, 'config', 'jobmaster.json')).mode & 0o077).toBe(0);
    const gw = JSON.parse(readFileSync(join(dir, 'config', 'gateway.json'), 'utf8')) as {
      minDifficulty: number;
      agentDifficulty: number;
    };
    expect(gw.minDifficulty).toBe(1e-6);
    expect(gw.agentDifficulty).toBe(1e-6);
    // An agent with its token is welcome on the uplink port; a wrong token is not.
    const agent = new TestAgent(uplinkPort);
    cleanup.push(() => agent.close());
    const welcome = await agent.login('farm-1', 'farm-1-secret');
    expect(welcome.type).toBe('welcome');
    const intruder = new TestAgent(uplinkPort);
    cleanup.push(() => intruder.close());
    await expect(intruder.login('farm-1', 'not-the-token')).rejects.toThrow(/refused/);

    const [gwPid] = pidsOf(lines, 'gateway');
    expect(gwPid).toBeGreaterThan(0);
    process.kill(gwPid!, 'SIGKILL');
    await until(() => pidsOf(lines, 'gateway').length === 2, 10_000, 'the gateway restarted');
    await until(() => miner.closed, 5000, 'the old connection closed');
    const again = await minerOn(stratumPort, 'solo.rig2');
    // The restarted gateway has a job on the new tip (height 109) and judges shares again.
    const r = await again.submit();
    expect(r.ok).toBe(true);
    await until(() => fake.acceptedBlocks().length > 1, 10_000, 'a second block');
    expect(fake.acceptedBlocks()[1]!.height).toBe(109);
  });

  it('with --redis also runs a metawriter: the block and the connection land in Redis', async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const redis = new Redis(server.port, '127.0.0.1');
    cleanup.push(() => redis.disconnect());
    const fake = new FakeBitcoind({ user: 'u', password: 'p' });
    const { port } = await fake.listen();
    cleanup.push(() => fake.close());
    const dir = tempDir();
    const stratumPort = await freePort();
    const { lines } = runPool([
      '--bitcoind-url',
      `http://u:p@127.0.0.1:${port}`,
      '--payout-address',
      PAYOUT,
      '--stratum-port',
      String(stratumPort),
      '--listen-host',
      '127.0.0.1',
      '--min-difficulty',
      '1e-6',
      '--data-dir',
      dir,
      '--redis',
      server.url,
    ]);
    const miner = await minerOn(stratumPort, 'solo.rig1');
    expect((await miner.submit()).ok).toBe(true);
    await until(() => fake.acceptedBlocks().length > 0, 10_000, 'a block at the node');
    expect(pidsOf(lines, 'metawriter')).toHaveLength(1);
    // Events leave the gateway within a second (share sums once their minute has closed).
    let newblock: string[] = [];
    for (let i = 0; i < 100 && newblock.length === 0; i++) {
      newblock = await redis.lrange('newblock', 0, -1);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(newblock.map((s) => JSON.parse(s) as unknown)).toContainEqual({
      user: 'solo',
      worker: 'rig1',
      name: 'BTC',
      hash: fake.acceptedBlocks()[0]!.hash,
    });
    const events = (await redis.lrange('newevent', 0, -1)).map(
      (s) => JSON.parse(s) as { event: string; user: string },
    );
    expect(events).toContainEqual(expect.objectContaining({ user: 'solo', event: 'connected' }));
  });
});
