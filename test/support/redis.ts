// A real redis-server for tests: a free loopback port, a temp dir, stopped (and the dir removed) by stop().
// kill() + start() simulate a crash and a restart on the same port; with `persistent` every write is
// fsynced to an append-only file first, so what Redis acknowledged survives the crash.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** appendonly + fsync always, so kill() loses nothing Redis acknowledged. */
  readonly persistent?: boolean;
  /** Run as a one-node Redis Cluster owning all 16384 slots. */
  readonly cluster?: boolean;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Start again on the same port and dir (after kill()). */
  start(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** Stop for good and remove the temp dir. */
  stop(): Promise<void>;
}

const BIN = process.env.REDIS_SERVER ?? 'redis-server';

function assertInstalled(): void {
  const probe = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `redis-server is needed by this test but "${BIN}" could not be run (${probe.error?.message ?? `exit ${probe.status}`}). ` +
        'Install it (Debian/Ubuntu: apt-get install -y redis-server) or point REDIS_SERVER at the binary.',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  assertInstalled();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  args.push('--appendonly', opts.persistent ? 'yes' : 'no');
  if (opts.persistent) args.push('--appendfsync', 'always');
  if (opts.cluster) {
    // Announce the loopback address, or CLUSTER SLOTS names the node with an empty ip.
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'));
    args.push('--cluster-announce-ip', '127.0.0.1');
  }
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const c = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start on port ${port}:\n${out}`)),
        10_000,
      );
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          c.stdout?.off('data', onData);
          resolve();
        }
      };
      c.stdout?.on('data', onData);
      c.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) on port ${port}:\n${out}`));
      });
    });
    c.stdout?.resume();
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };

  await launch();
  if (opts.cluster) await claimAllSlots(port);
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    start: launch,
    kill: () => terminate('SIGKILL'),
    stop: async () => {
      await terminate('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function claimAllSlots(port: number): Promise<void> {
  const cli = (...a: string[]): string => {
    const r = spawnSync('redis-cli', ['-p', String(port), ...a], { encoding: 'utf8' });
    if (r.error) throw new Error(`redis-cli is needed for a cluster test: ${r.error.message}`);
    return r.stdout.trim();
  };
  cli('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  for (let i = 0; i < 100; i++) {
    if (cli('CLUSTER', 'INFO').includes('cluster_state:ok')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`one-node cluster on port ${port} did not reach cluster_state:ok`);
}
