import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { runTui } from '@farmhand/tui';
import { parseAgentConfig } from '../config/index.js';
import { runAgent, type RunningAgent } from '../commands/agent-command.js';
import { startFarm, type Farm, type MakeName } from '../sim/index.js';
import { ChildSet, findOnPath, findPoolCli, freePort, waitForPort } from './demo-children.js';

// `farmhand demo`: a whole farm on embedded defaults, all on 127.0.0.1. The pool side (fake bitcoind,
// jobmaster, gateway, metawriter when redis-server exists) runs as child processes; the agent and the
// simulated fleet run here; the TUI sits in front. Ctrl-C stops everything.

export interface DemoOptions {
  miners: number;
  dataDir?: string;
  tui: boolean;
  /** Stop by itself after this many seconds (0: run until Ctrl-C). */
  duration: number;
  controlPort?: number;
}

const AGENT_ID = 'demo-farm';
const AGENT_TOKEN = 'demo-token-not-secret';
const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5'; // regtest; the fake node mines regtest blocks
const MAKES: MakeName[] = ['antminer', 'braiins', 'whatsminer', 'avalon', 'bitaxe'];
const DIFFICULTY = 1e-6; // simulated miners hash for real, in JavaScript: shares must be cheap
// Network difficulty 0.002 instead of regtest's 4.7e-10: a block every few minutes, not every share.
const DEMO_BITS = '1e01f3fe';

function say(line: string): void {
  process.stderr.write(`farmhand demo: ${line}\n`);
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'farmhand-demo-'));
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'demo.log');
  const children = new ChildSet(logFile);
  const log = pino(
    { name: 'farmhand-agent', level: 'info' },
    destination({ dest: join(dataDir, 'agent.log'), sync: false }),
  );
  let agent: RunningAgent | undefined;
  let agentUrl = '';
  let farm: Farm | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      say(`stopping (${why})`);
      await farm?.stop();
      await agent?.stop();
      await children.stopAll();
      say(`stopped; logs and the SQLite store are in ${dataDir}`);
    })());
  const onChildExit = (name: string, code: number | null) => {
    say(`${name} exited (code ${code}); see ${logFile}`);
    void stop(`${name} exited`).then(() => (process.exitCode = 1));
  };

  const startup = async (): Promise<void> => {
    const upstreams: string[] = [];
    const pool = findPoolCli();
    if (pool) {
      const [rpcPort, stratumPort, uplinkPort] = [await freePort(), await freePort(), await freePort()];
      children.start(
        'fake-bitcoind',
        pool.command,
        [
          ...pool.args,
          'fake-bitcoind',
          '--port',
          String(rpcPort),
          '--user',
          'demo',
          '--password',
          'demo',
          '--bits',
          DEMO_BITS,
        ],
        onChildExit,
      );
      if (!(await waitForPort(rpcPort, 30_000)))
        throw new Error(`the fake bitcoind did not start; see ${logFile}`);
      const poolArgs = [
        ...pool.args,
        'run',
        '--bitcoind-url',
        `http://demo:demo@127.0.0.1:${rpcPort}`,
        '--payout-address',
        PAYOUT,
        '--stratum-port',
        String(stratumPort),
        '--uplink-port',
        String(uplinkPort),
        '--agent-token',
        `${AGENT_ID}:${AGENT_TOKEN}`,
        '--min-difficulty',
        String(DIFFICULTY),
        '--data-dir',
        join(dataDir, 'pool'),
        '--listen-host',
        '127.0.0.1',
      ];
      const redis = findOnPath('redis-server');
      if (redis) {
        const redisPort = await freePort();
        children.start(
          'redis-server',
          redis,
          [
            '--port',
            String(redisPort),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dataDir,
          ],
          onChildExit,
        );
        if (!(await waitForPort(redisPort, 30_000)))
          throw new Error(`redis-server did not start; see ${logFile}`);
        poolArgs.push('--redis', `redis://127.0.0.1:${redisPort}`);
        say(`pool side: fake bitcoind, jobmaster, gateway and metawriter (Redis on 127.0.0.1:${redisPort})`);
      } else {
        say(
          'pool side: fake bitcoind, jobmaster and gateway; no redis-server on this machine, so no metawriter (apt-get install redis-server to see the Redis side)',
        );
      }
      children.start('pool', pool.command, poolArgs, onChildExit);
      upstreams.push(`farmhand+tcp://${AGENT_ID}:${AGENT_TOKEN}@127.0.0.1:${uplinkPort}`);
    } else {
      say('the pool package (farmhand-pool) is not installed here: the agent runs without an upstream');
    }

    const cfg = parseAgentConfig({
      dataDir: join(dataDir, 'agent'),
      stratum: {
        host: '127.0.0.1',
        port: 0,
        minDifficulty: DIFFICULTY,
        startDifficulty: DIFFICULTY * 4,
        targetShareSeconds: 4,
      },
      control: { host: '127.0.0.1', port: opts.controlPort ?? (await freePort()) },
      upstreams,
      upstreamGraceSeconds: 120,
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    agent = await runAgent(cfg.value, log);
    farm = await startFarm({
      miners: opts.miners,
      pools: [`stratum+tcp://demo:x@127.0.0.1:${agent.agent.port}`],
      account: 'demo',
      makes: MAKES,
      hashrate: 2000,
      suggestDifficulty: DIFFICULTY,
      rampMs: 2000,
    });
    agentUrl = `http://127.0.0.1:${agent.controlPort}`;
    say(
      `agent: stratum 127.0.0.1:${agent.agent.port}, control API ${agentUrl}; ${opts.miners} simulated miners; logs in ${dataDir}`,
    );
  };
  try {
    await startup();
  } catch (e) {
    await stop('startup failed');
    throw e;
  }
  process.once('SIGINT', () => void stop('Ctrl-C'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  if (opts.duration > 0)
    setTimeout(() => void stop(`${opts.duration} s elapsed`), opts.duration * 1000).unref();

  if (opts.tui && process.stdin.isTTY) {
    await runTui({ agentUrl });
    await stop('the TUI closed');
    return;
  }
  if (opts.tui)
    say('stdin is not a terminal: printing a summary every 5 s instead of the TUI (Ctrl-C stops)');
  const tick = setInterval(() => {
    if (stopping) return;
    const s = agent!.agent.server.stats();
    say(
      `${s.connections} miners, ${s.sharesAccepted} shares accepted, ${s.blocks} blocks, buffer ${agent!.agent.store.depth}`,
    );
  }, 5000);
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stopping) {
        clearInterval(wait);
        resolve();
      }
    }, 200);
  });
  clearInterval(tick);
  await stopping;
}
