import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent } from '../../agent/src/commands/agent-command.js';
import type { MinerRow, SerialStatus } from '../../agent/src/control/index.js';
import { serialStatus } from '../../agent/src/control/serial-status.js';
import {
  SerialService,
  serialConfigSchema,
  type UsbPort,
  type UsbProfile,
} from '../../agent/src/serial/index.js';
import { SimulatedIcarus } from '../../agent/src/sim/icarus-device.js';
import { startStratumEndpoint } from '../support/stratum-endpoint.js';

// GET /api/v1/serial on a running agent driving one simulated Icarus stick on a pty.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(pred: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const DIFFICULTY = 1e-6;
const HASHRATE = 15_000;

describe('control API: serial devices', () => {
  it('lists a mining Icarus device with its stats, and its miners row says usb/Icarus', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-control-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pool = await startStratumEndpoint({ difficulty: DIFFICULTY });
    cleanups.push(() => pool.close());
    const dev = await SimulatedIcarus.start({
      hashrate: HASHRATE,
      difficulty: DIFFICULTY,
      linkPath: join(dir, 'ttyICA0'),
    });
    cleanups.push(() => dev.stop());
    const cfg = parseAgentConfig({
      dataDir: join(dir, 'data'),
      stratum: { host: '127.0.0.1', port: 0, minDifficulty: DIFFICULTY, startDifficulty: DIFFICULTY },
      control: { port: 0 },
      upstreams: [`stratum+tcp://acct:x@127.0.0.1:${pool.port}`],
      serial: {
        account: 'usb',
        ports: [{ path: dev.path, name: 'ica0', difficulty: DIFFICULTY, hashrate: HASHRATE }],
        maxWorkSeconds: 5,
        reopenMinMs: 100,
        reopenMaxMs: 400,
        inventorySeconds: 0,
      },
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const running = await runAgent(cfg.value, pino({ level: 'silent' }));
    cleanups.push(() => running.stop());
    const base = `http://127.0.0.1:${running.controlPort}/api/v1`;
    const get = async <T>(path: string) => (await (await fetch(`${base}${path}`)).json()) as T;

    let status: SerialStatus = { ports: [], devices: [], hostMiners: [] };
    await waitFor(
      async () => {
        status = await get<SerialStatus>('/serial');
        return status.devices[0]?.state === 'mining' && status.devices[0].accepted > 0;
      },
      'the device mining with an accepted share',
      30_000,
    );
    expect(status.devices).toHaveLength(1);
    const d = status.devices[0]!;
    expect(d).toMatchObject({ worker: 'usb.ica0', path: dev.path, source: 'config', model: 'Icarus' });
    expect(d.hashrate).toBeGreaterThan(0);
    expect(d.hardwareErrors).toBe(0);
    expect(status.hostMiners).toEqual([]);
    expect(Array.isArray(status.ports)).toBe(true);

    const miners = await get<{ items: MinerRow[] }>('/miners?filter=usb.ica0');
    expect(miners.items.map((m) => [m.worker, m.make, m.model])).toEqual([['usb.ica0', 'usb', 'Icarus']]);

    // Unplugged, the API says so (without colour: the state is a word).
    await dev.unplug();
    await waitFor(
      async () => (await get<SerialStatus>('/serial')).devices[0]?.state !== 'mining',
      'the device no longer mining',
      10_000,
    );
  }, 60_000);

  it('a plugged USB stick shows as a port with its ids, driver, model and the state of its device', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-control-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pool = await startStratumEndpoint({ difficulty: DIFFICULTY });
    cleanups.push(() => pool.close());
    const dev = await SimulatedIcarus.start({
      hashrate: HASHRATE,
      difficulty: DIFFICULTY,
      linkPath: join(dir, 'ttyUSB3'),
    });
    cleanups.push(() => dev.stop());
    const cfg = parseAgentConfig({
      dataDir: join(dir, 'data'),
      stratum: { host: '127.0.0.1', port: 0, minDifficulty: DIFFICULTY, startDifficulty: DIFFICULTY },
      control: { port: 0 },
      upstreams: [`stratum+tcp://acct:x@127.0.0.1:${pool.port}`],
      serial: { inventorySeconds: 0 },
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const running = await runAgent(cfg.value, pino({ level: 'silent' }));
    cleanups.push(() => running.stop());
    const profile: UsbProfile = {
      id: 'usb-test',
      kind: 'usb',
      driver: 'icarus',
      title: 'simulated Block Erupter',
      difficulty: DIFFICULTY,
      devices: [{ usbId: '10c4:ea60', chip: 'CP210x', models: 'Block Erupter (sim)', hashrate: HASHRATE }],
    };
    const ports: UsbPort[] = [
      { path: dev.path, usbId: '10c4:ea60', serialNumber: 'BE0042', manufacturer: 'Silicon Labs' },
      { path: '/dev/ttyS0', usbId: null },
    ];
    const usb = new SerialService({
      config: serialConfigSchema.parse({ account: 'usb', inventorySeconds: 0.05, reopenMinMs: 50 }),
      stratumPort: running.agent.port,
      logger: pino({ level: 'silent' }),
      onEvent: () => {},
      lister: () => Promise.resolve(ports),
      profiles: [profile],
    });
    cleanups.push(() => usb.stop());
    usb.start();
    let status: SerialStatus = { ports: [], devices: [], hostMiners: [] };
    await waitFor(
      () => {
        status = serialStatus(usb, [profile]);
        return Promise.resolve(status.ports[0]?.state === 'mining');
      },
      'the stick mining',
      30_000,
    );
    expect(status.ports).toEqual([
      {
        path: dev.path,
        usbId: '10c4:ea60',
        vendorId: '10c4',
        productId: 'ea60',
        manufacturer: 'Silicon Labs',
        serialNumber: 'BE0042',
        driver: 'icarus',
        model: 'Block Erupter (sim)',
        state: 'mining',
      },
      {
        path: '/dev/ttyS0',
        usbId: null,
        vendorId: null,
        productId: null,
        manufacturer: null,
        serialNumber: null,
        driver: null,
        model: null,
        state: 'unused',
      },
    ]);
    expect(status.devices[0]).toMatchObject({
      worker: 'usb.BE0042',
      source: 'usb',
      model: 'Block Erupter (sim)',
    });
  }, 60_000);
});
