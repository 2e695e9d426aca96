import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';

// The demo's child processes (the pool side, redis-server): started, logged to a file, stopped together.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port; false after `ms`. */
export async function waitForPort(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The pool package's CLI: the workspace sibling when present, else a `farmhand-pool` on PATH. */
export function findPoolCli(): { command: string; args: string[] } | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('farmhand-pool/package.json');
    const bin = join(dirname(pkg), 'bin', 'farmhand-pool.js');
    if (existsSync(bin) && existsSync(join(dirname(pkg), 'dist', 'cli.js')))
      return { command: process.execPath, args: [bin] };
  } catch {
    // not installed beside the agent
  }
  const onPath = findOnPath('farmhand-pool');
  return onPath ? { command: onPath, args: [] } : null;
}

export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export class ChildSet {
  private readonly children: { name: string; child: ChildProcess }[] = [];
  private readonly log: WriteStream;
  stopping = false;

  constructor(logFile: string) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  start(
    name: string,
    command: string,
    args: string[],
    onExit: (name: string, code: number | null) => void,
  ): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    const prefix = `[${name}] `;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.log.write(prefix + line + '\n');
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.once('exit', (code) => {
      if (!this.stopping) onExit(name, code);
    });
    this.children.push({ name, child });
    return child;
  }

  /** SIGTERM to every child (newest first), SIGKILL after the grace time. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const { child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}
