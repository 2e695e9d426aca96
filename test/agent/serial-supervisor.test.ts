import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HostMiner, hostMinerArgs } from '../../agent/src/serial/host-miner.js';
import { SerialService, type SerialEvent } from '../../agent/src/serial/serial-service.js';
import { serialConfigSchema } from '../../agent/src/serial/serial-config.js';
import type { UsbPort } from '../../agent/src/serial/usb-inventory.js';
import { waitFor } from '../support/uplink-peer.js';

// Host miner supervision with stand-in children (node one-liners): crash → restart with growing
// back-off, output in the agent's log, stop with the agent, and no child left behind or unreaped.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

/** Gone and reaped: a zombie still answers signal 0 and keeps its /proc entry. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' && !existsSync(`/proc/${pid}`);
  }
}

describe('host miner supervisor', () => {
  it('restarts a crashing child with growing back-off, logs its output, leaves no zombie', async () => {
    const { lines, logger } = capture();
    const delays: number[] = [];
    const pids: number[] = [];
    const m = new HostMiner({
      name: 'crashy',
      command: process.execPath,
      args: ['-e', 'console.log("stand-in miner up"); setTimeout(() => process.exit(3), 30)'],
      restartMinMs: 40,
      restartMaxMs: 1000,
      healthyAfterMs: 60_000,
      stopGraceMs: 2000,
      logger,
      onExit: (e) => {
        if (e.restartInMs !== null) delays.push(e.restartInMs);
      },
    });
    cleanups.push(() => m.stop());
    const seen = setInterval(() => {
      if (m.pid !== null && !pids.includes(m.pid)) pids.push(m.pid);
    }, 2);
    cleanups.push(() => clearInterval(seen));
    m.start();
    await waitFor(() => delays.length >= 4, 'four crashes', 20_000);
    // Doubling with ±20% jitter: each wait is longer than the one before.
    for (let i = 1; i < 4; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    expect(m.starts).toBeGreaterThanOrEqual(4);
    expect(lines.some((l) => l.out === 'stand-in miner up' && l.hostMiner === 'crashy')).toBe(true);
    expect(lines.some((l) => l.msg === 'host miner exited; restarting' && l.code === 3)).toBe(true);
    await m.stop();
    expect(m.state).toBe('stopped');
    const starts = m.starts;
    await new Promise((r) => setTimeout(r, 300));
    expect(m.starts).toBe(starts); // stopped means no more restarts
    expect(pids.length).toBeGreaterThanOrEqual(2);
    for (const pid of pids) await waitFor(() => gone(pid), `pid ${pid} reaped`, 5000);
  });

  it('stops a child that ignores SIGTERM with SIGKILL after the grace time', async () => {
    const { logger } = capture();
    const m = new HostMiner({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'],
      restartMinMs: 40,
      restartMaxMs: 1000,
      healthyAfterMs: 60_000,
      stopGraceMs: 200,
      logger,
    });
    m.start();
    await new Promise((r) => setTimeout(r, 300)); // let it install its handler
    const pid = m.pid!;
    expect(pid).toBeGreaterThan(0);
    await m.stop();
    expect(m.lastExit?.signal).toBe('SIGKILL');
    await waitFor(() => gone(pid), 'stubborn child reaped', 5000);
  });

  it('a missing program is retried, not fatal', async () => {
    const { logger } = capture();
    let exits = 0;
    const m = new HostMiner({
      name: 'absent',
      command: '/nonexistent/cgminer',
      args: [],
      restartMinMs: 20,
      restartMaxMs: 100,
      healthyAfterMs: 60_000,
      stopGraceMs: 200,
      logger,
      onExit: () => exits++,
    });
    m.start();
    await waitFor(() => exits >= 2, 'two failed starts', 5000);
    await m.stop();
  });

  it('fills cgminer arguments: the agent’s stratum port, worker, suggested difficulty, API on loopback', () => {
    expect(
      hostMinerArgs(undefined, {
        url: 'stratum+tcp://127.0.0.1:3333',
        user: 'serial.gekko',
        difficulty: 64,
        apiPort: 4029,
      }),
    ).toEqual([
      '-o',
      'stratum+tcp://127.0.0.1:3333',
      '-u',
      'serial.gekko',
      '-p',
      'x',
      '--suggest-diff',
      '64',
      '--api-listen',
      '--api-allow',
      'W:127.0.0.1',
      '--api-port',
      '4029',
    ]);
  });
});

describe('USB inventory and host miners in the serial service', () => {
  it('logs plugged/unplugged devices and runs the host miner only while its stick is plugged in', async () => {
    const { logger } = capture();
    let ports: UsbPort[] = [];
    const events: SerialEvent[] = [];
    const config = serialConfigSchema.parse({
      inventorySeconds: 0.05,
      autoIcarus: false,
      reopenMinMs: 20,
      reopenMaxMs: 100,
      hostMiners: [
        {
          name: 'gekko',
          command: process.execPath,
          args: [
            '-e',
            'console.log(process.argv.slice(1).join(" ")); setInterval(() => {}, 1000)',
            '{url}',
            '{user}',
          ],
          usbIds: ['0403:6015'],
        },
      ],
    });
    const service = new SerialService({
      config,
      stratumPort: 3333,
      logger,
      onEvent: (e) => events.push(e),
      lister: () => Promise.resolve(ports),
    });
    cleanups.push(() => service.stop());
    service.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(service.hostMinerStatus()[0]!.state).toBe('stopped');

    ports = [
      { path: '/dev/ttyUSB0', usbId: '0403:6015', serialNumber: 'GEK123' },
      { path: '/dev/ttyS0', usbId: null },
    ];
    await waitFor(() => service.hostMinerStatus()[0]!.state === 'running', 'host miner started', 5000);
    const plugged = events.filter((e) => e.kind === 'usb-plugged');
    expect(plugged.map((e) => e.subject).sort()).toEqual(['/dev/ttyS0', '/dev/ttyUSB0']);
    expect(plugged.find((e) => e.subject === '/dev/ttyUSB0')!.detail).toMatch(/Compac F/);
    const pid = service.hostMinerStatus()[0]!.pid!;

    ports = [{ path: '/dev/ttyS0', usbId: null }];
    await waitFor(() => service.hostMinerStatus()[0]!.state === 'stopped', 'host miner stopped', 5000);
    expect(events.some((e) => e.kind === 'usb-unplugged' && e.subject === '/dev/ttyUSB0')).toBe(true);
    await waitFor(() => gone(pid), 'host miner reaped', 5000);
  });

  it('reads a running host miner’s status from its cgminer API on loopback', async () => {
    const { logger } = capture();
    const apiPort = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    // A stand-in cgminer: its API answers summary with figures the agent should pass on.
    const api = [
      'const net = require("net");',
      'net.createServer((s) => s.on("data", () => s.end(JSON.stringify({',
      '  STATUS: [{ STATUS: "S", Code: 11, Msg: "Summary", Description: "cgminer 4.12.0" }],',
      '  SUMMARY: [{ "MHS av": 330.5, Accepted: 12, Rejected: 1, "Hardware Errors": 2 }], id: 1 }) + "\\0")))',
      '  .listen(Number(process.argv[1]), "127.0.0.1");',
    ].join('\n');
    const config = serialConfigSchema.parse({
      inventorySeconds: 0,
      hostMinerPollSeconds: 0.05,
      hostMiners: [{ name: 'stick', command: process.execPath, args: ['-e', api, '{apiPort}'], apiPort }],
    });
    const service = new SerialService({ config, stratumPort: 3333, logger, onEvent: () => {} });
    cleanups.push(() => service.stop());
    service.start();
    await waitFor(() => service.hostMinerStatus()[0]!.api?.ok === true, 'API status read', 10_000);
    expect(service.hostMinerStatus()[0]!.api).toMatchObject({
      mhsAverage: 330.5,
      accepted: 12,
      rejected: 1,
      hardwareErrors: 2,
    });
  });
});
