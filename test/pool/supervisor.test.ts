// The supervisor with stand-in roles: small node processes that serve a TCP port or crash.
import { createServer, connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseRoleList,
  poolRoleSpecs,
  RestartBackoff,
  Supervisor,
  type ChildSpec,
} from '../../pool/src/supervisor/index.js';

// Answers every connection with its own pid, so a test can tell a restarted child from the old one.
const SERVER = `
const net = require('node:net');
net.createServer((s) => s.end(process.pid + '\\n')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('serving'));
`;

const running: Supervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
});

function supervise(specs: ChildSpec[], options: ConstructorParameters<typeof Supervisor>[1] = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  const outLines: string[] = [];
  const logLines: string[] = [];
  out.setEncoding('utf8').on('data', (d: string) => outLines.push(...d.split('\n').filter(Boolean)));
  err.resume();
  const sup = new Supervisor(specs, { stdout: out, stderr: err, log: (l) => logLines.push(l), ...options });
  running.push(sup);
  sup.start();
  return { sup, outLines, logLines };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function askPid(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('end', () => resolve(Number(data.trim()) || null));
    s.on('error', () => resolve(null));
  });
}

async function waitFor<T>(
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  limitMs = 10_000,
): Promise<T> {
  for (let waited = 0; ; waited += 25) {
    const v = await probe();
    if (ok(v)) return v;
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('RestartBackoff', () => {
  it('doubles through a crash streak up to the cap, and starts over after a stable run', () => {
    const b = new RestartBackoff({ initialMs: 250, maxMs: 2000, stableMs: 10_000 });
    expect([0, 0, 0, 0, 0, 0].map((u) => b.next(u))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(b.next(10_000)).toBe(250);
    expect(b.next(5)).toBe(500);
  });

  it('refuses nonsense settings', () => {
    expect(() => new RestartBackoff({ initialMs: 0, maxMs: 1, stableMs: 1 })).toThrow(RangeError);
  });
});

describe('Supervisor', () => {
  it('restarts a role killed with SIGKILL: new pid, serving its port again', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const specs = [
      { name: 'alpha', command: process.execPath, args: ['-e', SERVER], env: { PORT: String(portA) } },
      { name: 'beta', command: process.execPath, args: ['-e', SERVER], env: { PORT: String(portB) } },
    ];
    const { sup, outLines } = supervise(specs);
    const firstA = await waitFor(
      () => askPid(portA),
      (p) => p !== null,
      'alpha to serve',
    );
    const firstB = await waitFor(
      () => askPid(portB),
      (p) => p !== null,
      'beta to serve',
    );
    expect(firstA).toBe(sup.pids().get('alpha'));
    expect(outLines).toContain('[alpha] serving');

    process.kill(firstA as number, 'SIGKILL');
    // The bound is generous for a loaded machine; the restart delay itself is checked below.
    const secondA = await waitFor(
      () => askPid(portA),
      (p) => p !== null && p !== firstA,
      'alpha to come back',
      5000,
    );
    expect(secondA).toBe(sup.pids().get('alpha'));
    expect(sup.restarts).toHaveLength(1);
    expect(sup.restarts[0]).toMatchObject({ name: 'alpha', signal: 'SIGKILL', code: null });
    expect(sup.restarts[0]?.delayMs).toBeLessThan(1000);
    // The other role was not touched.
    expect(await askPid(portB)).toBe(firstB);
  });

  it('backs off a crash loop and starts over once a role has run stably', async () => {
    const backoff = { initialMs: 20, maxMs: 160, stableMs: 60_000 };
    const { sup } = supervise(
      [{ name: 'crashy', command: process.execPath, args: ['-e', 'process.exit(3)'] }],
      { backoff },
    );
    await waitFor(
      () => sup.restarts.length,
      (n) => n >= 6,
      'six crashes',
    );
    expect(sup.restarts.slice(0, 6).map((r) => r.delayMs)).toEqual([20, 40, 80, 160, 160, 160]);
    expect(sup.restarts.every((r) => r.code === 3)).toBe(true);

    // A role that lives longer than stableMs before each crash never backs off.
    const steady = { initialMs: 20, maxMs: 160, stableMs: 50 };
    const { sup: sup2 } = supervise(
      [{ name: 'steady', command: process.execPath, args: ['-e', 'setTimeout(() => process.exit(4), 300)'] }],
      {
        backoff: steady,
      },
    );
    await waitFor(
      () => sup2.restarts.length,
      (n) => n >= 3,
      'three slow crashes',
    );
    expect(sup2.restarts.slice(0, 3).map((r) => r.delayMs)).toEqual([20, 20, 20]);
  });

  it('restarts a role whose command does not exist, backing off, without throwing', async () => {
    const { sup, logLines } = supervise(
      [{ name: 'ghost', command: '/nonexistent/farmhand-role', args: [] }],
      {
        backoff: { initialMs: 10, maxMs: 40, stableMs: 60_000 },
      },
    );
    await waitFor(
      () => sup.restarts.length,
      (n) => n >= 3,
      'three failed starts',
    );
    expect(sup.restarts.slice(0, 3).map((r) => r.delayMs)).toEqual([10, 20, 40]);
    expect(logLines.some((l) => l.includes('ghost could not start'))).toBe(true);
  });

  it('prefixes stdout and stderr lines with the role', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    err.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const script =
      "process.stdout.write('one\\ntwo\\n'); process.stderr.write('bad\\npartial'); setInterval(() => {}, 1000);";
    const sup = new Supervisor([{ name: 'talker', command: process.execPath, args: ['-e', script] }], {
      stdout: out,
      stderr: err,
      log: () => {},
    });
    running.push(sup);
    sup.start();
    await waitFor(
      () => stdout + stderr,
      (s) => s.includes('[talker] bad'),
      'output',
    );
    await sup.stop();
    await waitFor(
      () => stderr,
      (s) => s.includes('[talker] partial\n'),
      'the unterminated last line',
    );
    expect(stdout).toBe('[talker] one\n[talker] two\n');
  });
});

describe('Supervisor environment', () => {
  it("keeps systemd's notify variables to itself and passes the role's own", async () => {
    const saved = { NOTIFY_SOCKET: process.env.NOTIFY_SOCKET, WATCHDOG_USEC: process.env.WATCHDOG_USEC };
    process.env.NOTIFY_SOCKET = '/run/systemd/notify';
    process.env.WATCHDOG_USEC = '30000000';
    try {
      const script =
        "console.log([process.env.NOTIFY_SOCKET, process.env.WATCHDOG_USEC, process.env.ROLE_SETTING].join('|')); setInterval(() => {}, 1000);";
      const { outLines } = supervise([
        { name: 'env', command: process.execPath, args: ['-e', script], env: { ROLE_SETTING: 'x' } },
      ]);
      await waitFor(
        () => outLines.length,
        (n) => n > 0,
        'the role to print',
      );
      expect(outLines[0]).toBe('[env] ||x');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('farmhand-pool run roles', () => {
  it('parses --roles and builds one child per role', () => {
    const r = parseRoleList('gateway, jobmaster');
    expect(r).toEqual({ ok: true, value: ['gateway', 'jobmaster'] });
    const bad = parseRoleList('gateway,miner');
    expect(!bad.ok && bad.error.code).toBe('ROLE_UNKNOWN');
    expect(!parseRoleList('gateway,gateway').ok).toBe(true);
    expect(!parseRoleList(' , ').ok).toBe(true);
    const specs = poolRoleSpecs(['gateway'], '/etc/farmhand-pool');
    expect(specs[0]?.name).toBe('gateway');
    expect(specs[0]?.args.slice(1)).toEqual(['gateway', '--config', '/etc/farmhand-pool/gateway.json']);
    expect(specs[0]?.args[0]).toMatch(/bin\/farmhand-pool\.js$/);
  });
});
