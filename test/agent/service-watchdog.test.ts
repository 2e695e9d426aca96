// The agent's sd_notify path end to end: a real unix datagram socket (a python3 receiver), a real
// child node process using the compiled agent module, real systemd-notify in between.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceNotifier } from '../../agent/src/service/index.js';

const agentService = fileURLToPath(new URL('../../agent/dist/service/index.js', import.meta.url));
// Child processes run the compiled module: `npm test` builds it first (tsc -b).
if (!existsSync(agentService)) throw new Error(`${agentService} is missing: run npx tsc -b before this test`);

// Prints each datagram as one JSON string per line; passed fds (systemd-notify's barrier) are
// dropped by recv(), which closes them and so releases the sender.
const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("bound"), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

const CHILD = `
import { existsSync, writeSync } from 'node:fs';
const { createServiceNotifier } = await import(process.env.AGENT_SERVICE);
const notifier = createServiceNotifier();
notifier.ready('test child serving');
// SIGUSR2 wedges the event loop until the release file appears, as a hung handler would.
process.on('SIGUSR2', () => {
  writeSync(1, 'blocked\\n');
  while (!existsSync(process.env.RELEASE_FILE)) {}
  writeSync(1, 'unblocked\\n');
});
process.on('SIGTERM', () => {
  notifier.stopping('test child stopping');
  process.exit(0);
});
setInterval(() => {}, 60_000);
`;

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function lines(p: ChildProcess): string[] {
  const out: string[] = [];
  if (p.stdout) createInterface({ input: p.stdout }).on('line', (l) => out.push(l));
  return out;
}

async function waitFor(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('agent sd_notify and watchdog', () => {
  it('sends READY, keep-alives from the event loop, none while the loop is blocked, then STOPPING', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-notify-'));
    dirs.push(dir);
    const socketPath = join(dir, 'notify.sock');
    const release = join(dir, 'release');
    writeFileSync(join(dir, 'receiver.py'), RECEIVER);
    writeFileSync(join(dir, 'child.mjs'), CHILD);

    const receiver = spawn('python3', [join(dir, 'receiver.py'), socketPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(receiver);
    const raw = lines(receiver);
    const messages = () => raw.map((l) => JSON.parse(l) as string);
    await waitFor(() => messages().includes('bound'), 'the receiver to bind');
    const keepAlives = () => messages().filter((m) => m === 'WATCHDOG=1').length;

    const child = spawn(process.execPath, [join(dir, 'child.mjs')], {
      env: {
        ...process.env,
        NOTIFY_SOCKET: socketPath,
        WATCHDOG_USEC: '400000',
        AGENT_SERVICE: agentService,
        RELEASE_FILE: release,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(child);
    const childOut = lines(child);

    await waitFor(() => keepAlives() >= 3, 'three keep-alives');
    expect(messages()).toContain('READY=1\nSTATUS=test child serving');
    // systemd-notify's own barrier messages aside, everything we sent is one of ours.
    expect(messages().filter((m) => !['bound', 'BARRIER=1', 'WATCHDOG=1'].includes(m))).toEqual([
      'READY=1\nSTATUS=test child serving',
    ]);

    child.kill('SIGUSR2');
    await waitFor(() => childOut.includes('blocked'), 'the child to block');
    const before = keepAlives();
    // Seven keep-alive periods (200 ms each) pass; a live loop would send about seven.
    await sleep(1400);
    const during = keepAlives() - before;
    // One sender spawned just before the loop wedged may still land.
    expect(during).toBeLessThanOrEqual(1);

    writeFileSync(release, '');
    await waitFor(() => childOut.includes('unblocked'), 'the child to unblock');
    const after = keepAlives();
    await waitFor(() => keepAlives() >= after + 3, 'keep-alives to resume');

    child.kill('SIGTERM');
    await waitFor(() => messages().includes('STOPPING=1\nSTATUS=test child stopping'), 'STOPPING=1');
    await waitFor(() => child.exitCode !== null, 'the child to exit');
    expect(child.exitCode).toBe(0);
  });

  it('is inert without NOTIFY_SOCKET and ignores a watchdog meant for another process', () => {
    const none = createServiceNotifier({}, () => {});
    expect(none.enabled).toBe(false);
    expect(none.startWatchdog()).toBe(false);
    const other = createServiceNotifier(
      { NOTIFY_SOCKET: '/nonexistent', WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid + 1) },
      () => {},
    );
    expect(other.enabled).toBe(true);
    expect(other.watchdog).toBe(null);
    const errors: string[] = [];
    createServiceNotifier({ NOTIFY_SOCKET: '/nonexistent', WATCHDOG_USEC: 'soon' }, (m) => errors.push(m));
    expect(errors.join()).toMatch(/WATCHDOG_USEC/);
  });
});
