import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseAgentConfig } from '../../agent/src/config/index.js';
import { runAgent, type RunningAgent } from '../../agent/src/commands/agent-command.js';
import type { ShareEvent } from '../../agent/src/downstream/index.js';
import { SerialService, type SerialEvent } from '../../agent/src/serial/serial-service.js';
import { serialConfigSchema } from '../../agent/src/serial/serial-config.js';
import type { UsbPort } from '../../agent/src/serial/usb-inventory.js';
import type { UsbProfile } from '../../agent/src/serial/usb-profile.js';
import { SimulatedIcarus } from '../../agent/src/sim/icarus-device.js';
import { startStratumEndpoint } from '../support/stratum-endpoint.js';
import { waitFor } from '../support/uplink-peer.js';

// Simulated Icarus devices on ptys → the agent's serial drivers (each its own stratum session with the
// agent) → the agent → a plain stratum pool.

const log = pino({ level: process.env.SERIAL_LOG ?? 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DEVICE_DIFFICULTY = 1e-6; // about one nonce per 4300 hashes: shares in seconds at 15 kH/s
const HASHRATE = 15_000;

async function device(dir: string, name: string): Promise<SimulatedIcarus> {
  const d = await SimulatedIcarus.start({
    hashrate: HASHRATE,
    difficulty: DEVICE_DIFFICULTY,
    linkPath: join(dir, name),
  });
  cleanups.push(() => d.stop());
  return d;
}

async function agentWith(
  dataDir: string,
  pool: number,
  ports: string[],
  serial: Record<string, unknown> = {},
): Promise<RunningAgent> {
  const cfg = parseAgentConfig({
    dataDir,
    stratum: {
      host: '127.0.0.1',
      port: 0,
      minDifficulty: DEVICE_DIFFICULTY,
      startDifficulty: DEVICE_DIFFICULTY,
      retargetSeconds: 600,
    },
    control: { port: 0 },
    upstreams: [`stratum+tcp://acct:x@127.0.0.1:${pool}`],
    serial: {
      account: 'usb',
      ports: ports.map((path, i) => ({
        path,
        name: `ica${i}`,
        difficulty: DEVICE_DIFFICULTY,
        hashrate: HASHRATE,
      })),
      maxWorkSeconds: 5,
      reopenMinMs: 100,
      reopenMaxMs: 400,
      inventorySeconds: 0,
      ...serial,
    },
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const running = await runAgent(cfg.value, log);
  cleanups.push(() => running.stop());
  return running;
}

describe('serial miners end to end', () => {
  it('mines per device worker; garbage and wrong nonces are hardware errors, never shares; unplug/replug recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pool = await startStratumEndpoint({ difficulty: DEVICE_DIFFICULTY });
    cleanups.push(() => pool.close());
    const devs = [await device(dir, 'ttyICA0'), await device(dir, 'ttyICA1')];
    const running = await agentWith(
      join(dir, 'data'),
      pool.port,
      devs.map((d) => d.path),
    );
    const perWorker = new Map<string, { accepted: number; rejected: number }>();
    running.agent.server.on('share', (e: ShareEvent) => {
      const w = `${e.account}.${e.worker}`;
      const c = perWorker.get(w) ?? { accepted: 0, rejected: 0 };
      if (e.verdict.kind === 'accepted') c.accepted++;
      else c.rejected++;
      perWorker.set(w, c);
    });
    const dev = (i: number) => running.serial.devices().find((d) => d.worker === `usb.ica${i}`)!;

    await waitFor(
      () =>
        (perWorker.get('usb.ica0')?.accepted ?? 0) >= 3 && (perWorker.get('usb.ica1')?.accepted ?? 0) >= 3,
      'three accepted shares from each device',
      30_000,
    );
    expect(dev(0).state).toBe('mining');

    // Faults: line noise, then a nonce that does not hash right.
    const before = dev(0).stats.hardwareErrors;
    devs[0]!.sendGarbage(7);
    await waitFor(() => dev(0).stats.hardwareErrors > before, 'garbage counted', 10_000);
    const afterGarbage = dev(0).stats.hardwareErrors;
    devs[0]!.sendWrongNonce();
    await waitFor(() => dev(0).stats.hardwareErrors > afterGarbage, 'wrong nonce counted', 10_000);

    // A new block upstream: both devices get new work at once; nonces for the old work are not submitted.
    const items = [dev(0).stats.workItems, dev(1).stats.workItems];
    const acceptedBeforeBlock = perWorker.get('usb.ica0')!.accepted;
    pool.newJob(true);
    await waitFor(
      () =>
        dev(0).stats.workItems > items[0]! &&
        dev(1).stats.workItems > items[1]! &&
        perWorker.get('usb.ica0')!.accepted >= acceptedBeforeBlock + 2,
      'mining the new job',
      20_000,
    );

    // Unplug device 1: the driver notices; replug: it reopens the same path and mines again.
    await devs[1]!.unplug();
    await waitFor(() => dev(1).state !== 'mining', 'unplug detected', 10_000);
    const acceptedBefore = perWorker.get('usb.ica1')!.accepted;
    await devs[1]!.plug();
    await waitFor(() => dev(1).state === 'mining', 'device 1 back', 15_000);
    await waitFor(
      () => perWorker.get('usb.ica1')!.accepted >= acceptedBefore + 2,
      'device 1 shares after replug',
      30_000,
    );
    expect(dev(1).stats.reopens).toBeGreaterThan(0);

    // Nothing invalid was ever submitted: no rejects at the agent, none at the pool but stale ones.
    for (const [w, c] of perWorker) expect({ w, rejected: c.rejected }).toEqual({ w, rejected: 0 });
    for (const i of [0, 1]) expect(dev(i).stats.rejected).toBe(0);
    await waitFor(() => running.agent.store.depth === 0, 'buffer drained', 10_000);
    // A share in flight while the pool moved to the new block is stale there; nothing else may be refused.
    expect(
      pool.rejected().filter((r) => r.verdict.kind === 'rejected' && r.verdict.reason !== 'stale'),
    ).toEqual([]);
    expect(pool.rejected().length).toBeLessThanOrEqual(2);
    const accepted = [...perWorker.values()].reduce((a, c) => a + c.accepted, 0);
    await waitFor(() => pool.shares.length >= accepted, 'pool has every share', 10_000);
    expect(pool.shares.length).toBeGreaterThanOrEqual(accepted);

    const kinds = running.agent.store.events.list(500).map((e) => `${e.kind} ${e.subject}`);
    expect(kinds).toContain('serial-lost usb.ica1');
    expect(kinds).toContain('serial-mining usb.ica1');
    expect(dev(0).stats.hashrate).toBeGreaterThan(0);
  }, 90_000);

  it('a silent device is reopened after the configured number of empty work cycles, then mines again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pool = await startStratumEndpoint({ difficulty: DEVICE_DIFFICULTY });
    cleanups.push(() => pool.close());
    const d = await device(dir, 'ttyICA0');
    const running = await agentWith(join(dir, 'data'), pool.port, [d.path], {
      maxWorkSeconds: 1,
      silentCycles: 3,
    });
    const dev = () => running.serial.devices()[0]!;
    await waitFor(() => dev().stats.accepted >= 2, 'first shares', 30_000);
    d.silent = true;
    await waitFor(() => /no reply in 3 work cycles/.test(dev().lastError ?? ''), 'silence detected', 20_000);
    d.silent = false;
    const accepted = dev().stats.accepted;
    await waitFor(
      () => dev().state === 'mining' && dev().stats.accepted >= accepted + 2,
      'mining again',
      30_000,
    );
    expect(dev().stats.reopens).toBeGreaterThan(0);
    expect(dev().stats.hardwareErrors).toBe(0);
  }, 90_000);

  it('a known USB id that appears in the inventory is probed with the golden work, mined as <account>.<USB serial>, and dropped when unplugged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pool = await startStratumEndpoint({ difficulty: DEVICE_DIFFICULTY });
    cleanups.push(() => pool.close());
    const running = await agentWith(join(dir, 'data'), pool.port, []);
    const d = await device(dir, 'ttyUSB7');
    // The simulator's nonces are easier than a real Block Erupter's: the same id, its difficulty.
    const profile: UsbProfile = {
      id: 'usb-test',
      kind: 'usb',
      driver: 'icarus',
      title: 'simulated Block Erupter',
      difficulty: DEVICE_DIFFICULTY,
      devices: [
        { usbId: '10c4:ea60', chip: 'CP210x', models: 'Block Erupter (simulated)', hashrate: HASHRATE },
      ],
    };
    let ports: UsbPort[] = [];
    const events: SerialEvent[] = [];
    const usb = new SerialService({
      config: serialConfigSchema.parse({
        account: 'usb',
        inventorySeconds: 0.05,
        reopenMinMs: 50,
        reopenMaxMs: 200,
      }),
      stratumPort: running.agent.port,
      logger: log,
      onEvent: (e) => events.push(e),
      lister: () => Promise.resolve(ports),
      profiles: [profile],
    });
    cleanups.push(() => usb.stop());
    usb.start();
    ports = [{ path: d.path, usbId: '10c4:ea60', serialNumber: 'BE0042', manufacturer: 'Silicon Labs' }];
    await waitFor(() => (usb.devices()[0]?.stats.accepted ?? 0) >= 2, 'the USB device mining', 30_000);
    expect(usb.devices()[0]).toMatchObject({ worker: 'usb.BE0042', source: 'usb', usbId: '10c4:ea60' });
    expect(d.stats.workItems).toBeGreaterThan(1); // the golden item, then real work
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['usb-plugged', 'serial-mining']));

    ports = [];
    await d.unplug();
    await waitFor(() => usb.devices().length === 0, 'device dropped', 10_000);
    expect(events.some((e) => e.kind === 'usb-unplugged' && e.subject === d.path)).toBe(true);
  }, 60_000);
});
