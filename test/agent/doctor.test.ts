// `farmhand doctor` against real ports on 127.0.0.1, real directories and a real running agent.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../agent/src/cli.js';
import { runAgent } from '../../agent/src/commands/agent-command.js';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import {
  checkBuffer,
  checkClock,
  formatReport,
  runDoctor,
  type CheckResult,
  type DoctorOptions,
} from '../../agent/src/doctor/index.js';
import { ShareStore } from '../../agent/src/store/index.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-doctor-'));
  cleanups.push(() => {
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
  });
  return d;
}

/** A listener that is not ours, on a free port. */
async function foreignListener(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.on('error', () => {}); // the doctor hangs up at once
    s.end('220 not farmhand\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { port: addr.port, server };
}

/** A port that was free a moment ago (its listener closed). */
async function freePort(): Promise<number> {
  const { port, server } = await foreignListener();
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function writeConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, 'agent.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

async function doctor(options: DoctorOptions): Promise<{ ok: boolean; byId: Map<string, CheckResult> }> {
  const r = await runDoctor({
    systemd: false,
    timeoutMs: 1000,
    // Judged only when the tests run as root: root owns the temp directories.
    serviceUser: 'root',
    clock: { now: Date.UTC(2026, 5, 1), synchronized: true },
    ...options,
  });
  return { ok: r.ok, byId: new Map(r.checks.map((c) => [c.id, c])) };
}

describe('farmhand doctor', () => {
  it('FAILs a stratum port held by a foreign listener, with a hint', async () => {
    const dir = tempDir();
    const busy = await foreignListener();
    const config = writeConfig(dir, {
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: busy.port },
      control: { port: await freePort() },
    });
    const r = await doctor({ config });
    const port = r.byId.get('port.stratum');
    expect(port?.level).toBe('fail');
    expect(port?.message).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${busy.port} is held by another program \\(pid ${process.pid}\\)`),
    );
    expect(port?.fix).toMatch(/move the agent with stratum\.port/);
    expect(r.byId.get('port.control')?.level).toBe('ok');
    expect(r.byId.get('agent')?.level).toBe('warn');
    expect(r.ok).toBe(false);
  });

  it('calls both ports OK when the running agent holds them, and reads its buffer depth', async () => {
    const dir = tempDir();
    const cfg = parseAgentConfig({
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: 0 },
      control: { port: 0 },
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const running = await runAgent(cfg.value, log);
    cleanups.push(() => running.stop());
    const config = writeConfig(dir, {
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: running.agent.port },
      control: { port: running.controlPort },
    });
    const r = await doctor({ config, version: '0.1.0' });
    expect(r.byId.get('port.stratum')?.level).toBe('ok');
    expect(r.byId.get('port.stratum')?.message).toMatch(/held by the running agent/);
    expect(r.byId.get('port.control')?.level).toBe('ok');
    expect(r.byId.get('agent')?.message).toMatch(/answers at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.byId.get('store')?.level).toBe('ok');
    expect(r.byId.get('buffer')?.message).toBe('0 shares waiting for the upstream (from the running agent)');
    // No upstream configured: a warning, not a failure.
    expect(r.byId.get('upstream')?.level).toBe('warn');
    expect(r.ok).toBe(true);
  });

  it('FAILs a data directory the agent cannot write', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    mkdirSync(data);
    // Unwritable for a normal user; as root (which writes anywhere) the service user is judged,
    // here "nobody", who does not own the directory.
    chmodSync(data, 0o500);
    const config = writeConfig(dir, {
      dataDir: data,
      stratum: { host: '127.0.0.1', port: await freePort() },
      control: { port: await freePort() },
    });
    const r = await doctor({ config, serviceUser: 'nobody' });
    const d = r.byId.get('data-dir');
    expect(d?.level).toBe('fail');
    expect(d?.message).toMatch(
      process.getuid?.() === 0
        ? /is not writable by the service user nobody/
        : /is not writable by this user \(EACCES\)/,
    );
    expect(d?.fix).toContain(`sudo chown -R nobody:nobody ${data}`);
    expect(r.ok).toBe(false);
  });

  it('WARNs a data directory the agent will create, FAILs one that cannot be created', async () => {
    const dir = tempDir();
    const ports = {
      stratum: { host: '127.0.0.1', port: await freePort() },
      control: { port: await freePort() },
    };
    const later = (
      await doctor({ config: writeConfig(dir, { dataDir: join(dir, 'new/data'), ...ports }) })
    ).byId.get('data-dir');
    expect([later?.level, later?.message]).toEqual([
      'warn',
      `${join(dir, 'new/data')} does not exist yet; the agent creates it on its first start`,
    ]);
    writeFileSync(join(dir, 'file'), '');
    const never = (
      await doctor({ config: writeConfig(dir, { dataDir: join(dir, 'file/data'), ...ports }) })
    ).byId.get('data-dir');
    expect([never?.level, never?.message]).toEqual([
      'fail',
      `${join(dir, 'file/data')} cannot be created: ${join(dir, 'file')} is a file, not a directory`,
    ]);
  });

  it('names each bad key of a config by its path, and still runs the other checks', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      stratum: { prot: 3333, minDifficulty: -1 },
      control: { token: 'short' },
    });
    const r = await doctor({ config, dataDir: dir });
    const c = r.byId.get('config');
    expect(c?.level).toBe('fail');
    expect(c?.message).toContain(`${config}.stratum.minDifficulty:`);
    expect(c?.message).toContain(`${config}.stratum: Unrecognized key: "prot"`);
    expect(c?.message).toContain(`${config}.control.token: a control token must be at least 16 characters`);
    expect(c?.fix).toMatch(/\/etc\/farmhand\/README/);
    expect(r.byId.get('data-dir')?.level).toBe('ok');
    expect(r.ok).toBe(false);
  });

  it('FAILs a config that is not JSON', async () => {
    const dir = tempDir();
    const path = join(dir, 'agent.json');
    writeFileSync(path, '{ "upstreams": [] ');
    const c = (await doctor({ config: path, dataDir: dir })).byId.get('config');
    expect(c?.level).toBe('fail');
    expect(c?.message).toMatch(/is not valid JSON/);
  });

  it('FAILs an unreachable upstream without printing its credentials, and passes a reachable one', async () => {
    const dir = tempDir();
    const down = await freePort();
    const up = await foreignListener();
    const config = writeConfig(dir, {
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: await freePort() },
      control: { port: await freePort() },
      upstreams: [
        `farmhand+tcp://agent-7:s3cretTOKENs3cret@127.0.0.1:${down}`,
        { url: `stratum+tcp://acct.rig:hunter2@127.0.0.1:${up.port}`, name: 'backup' },
      ],
    });
    const r = await runDoctor({ config, systemd: false, timeoutMs: 1000 });
    const byId = new Map(r.checks.map((c) => [c.id, c]));
    expect(byId.get('upstream.1')?.level).toBe('fail');
    expect(byId.get('upstream.1')?.message).toBe(
      `farmhand+tcp://127.0.0.1:${down} is not reachable: connection refused: nothing listens on that port`,
    );
    expect(byId.get('upstream.backup')?.level).toBe('ok');
    const printed = formatReport(r) + JSON.stringify(r);
    for (const secret of ['s3cret', 'hunter2', 'agent-7', 'acct.rig']) expect(printed).not.toContain(secret);
    expect(r.ok).toBe(false);
  });

  it('reads the buffer depth from the store file when no agent runs, and warns above the threshold', async () => {
    const dir = tempDir();
    const store = ShareStore.open(join(dir, 'agent.sqlite'));
    if (!store.ok) throw new Error(store.error.message);
    for (let i = 0; i < 5; i++)
      store.value.append({
        account: 'farm',
        worker: 'rig',
        jobId: '1',
        extranonce2: '00',
        ntime: '6553f100',
        nonce: `0000000${i}`,
        difficulty: 1,
        block: false,
        at: 1_700_000_000_000,
      });
    store.value.close();
    const config = writeConfig(dir, {
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: await freePort() },
      control: { port: await freePort() },
    });
    const r = await doctor({ config, bufferWarn: 3 });
    expect(r.byId.get('store')?.message).toMatch(/agent\.sqlite opens \(schema \d+\)/);
    const b = r.byId.get('buffer');
    expect([b?.level, b?.message]).toEqual([
      'warn',
      '5 shares waiting for the upstream (from the store file): above 3',
    ]);
  });

  it('judges buffer and clock in plain words', () => {
    expect(checkBuffer(1000, 'x', 10, 1000).level).toBe('fail');
    expect(checkBuffer(null, 'x', 10, 1000).level).toBe('skip');
    const past = checkClock({ now: Date.UTC(1970, 0, 1, 0, 1), synchronized: null });
    expect([past.level, past.message]).toEqual([
      'fail',
      'system time is 1970-01-01T00:01:00Z, which is in the past: the clock was never set',
    ]);
    expect(checkClock({ now: Date.UTC(2026, 0, 1), synchronized: false }).level).toBe('warn');
    expect(checkClock({ now: Date.UTC(2026, 0, 1), synchronized: true }).level).toBe('ok');
  });

  it('farmhand doctor --json prints the checks and exits 1 on a failure, 0 without', async () => {
    const dir = tempDir();
    const busy = await foreignListener();
    const config = writeConfig(dir, {
      dataDir: dir,
      stratum: { host: '127.0.0.1', port: busy.port },
      control: { port: await freePort() },
    });
    const run = async (file: string): Promise<{ ok: boolean; checks: CheckResult[] }> => {
      const out: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
      try {
        await buildProgram().parseAsync(['doctor', '--config', file, '--json', '--no-systemd'], {
          from: 'user',
        });
      } finally {
        spy.mockRestore();
      }
      return JSON.parse(out.join('\n')) as { ok: boolean; checks: CheckResult[] };
    };
    const saved = process.exitCode;
    try {
      const bad = await run(config);
      expect([bad.ok, process.exitCode]).toEqual([false, 1]);
      expect(bad.checks.find((c) => c.id === 'port.stratum')?.level).toBe('fail');
      const fine = await run(
        writeConfig(tempDir(), {
          dataDir: dir,
          stratum: { host: '127.0.0.1', port: await freePort() },
          control: { port: await freePort() },
        }),
      );
      expect(fine.checks.find((c) => c.id === 'port.stratum')?.level).toBe('ok');
      expect([fine.ok, process.exitCode]).toEqual([true, 0]);
    } finally {
      process.exitCode = saved;
    }
  });
});
