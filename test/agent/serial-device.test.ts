import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeIcarus } from '../../agent/src/serial/icarus-probe.js';
import { listFromSysfs } from '../../agent/src/serial/usb-inventory.js';
import { loadUsbProfiles, matchUsb } from '../../agent/src/serial/usb-profile.js';
import { SimulatedIcarus } from '../../agent/src/sim/icarus-device.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function device(hashrate: number, difficulty: number): Promise<SimulatedIcarus> {
  const d = await SimulatedIcarus.start({ hashrate, difficulty });
  cleanups.push(() => d.stop());
  return d;
}

describe('Icarus detection probe against the simulated device', () => {
  it('a device reporting difficulty-1 nonces answers the golden nonce 000187a2', async () => {
    const d = await device(2_000_000, 1);
    const r = await probeIcarus(d.path, { baudRate: 115200, difficulty: 1, timeoutMs: 20_000 });
    expect(r).toMatchObject({ ok: true, value: { nonce: '000187a2' } });
  });

  it('an easier device answers an earlier nonce: valid at its difficulty, wrong at difficulty 1', async () => {
    const d = await device(50_000, 1e-6);
    const easy = await probeIcarus(d.path, { baudRate: 115200, difficulty: 1e-6, timeoutMs: 10_000 });
    expect(easy.ok).toBe(true);
    if (easy.ok) expect(easy.value.nonce).not.toBe('000187a2');
    const strict = await probeIcarus(d.path, { baudRate: 115200, difficulty: 1, timeoutMs: 10_000 });
    expect(strict).toMatchObject({ ok: false, error: { code: 'WRONG_ANSWER' } });
  });

  it('a silent device and a missing port fail with their own codes', async () => {
    const d = await device(50_000, 1e-6);
    d.silent = true;
    const silent = await probeIcarus(d.path, { baudRate: 115200, difficulty: 1e-6, timeoutMs: 300 });
    expect(silent).toMatchObject({ ok: false, error: { code: 'NO_ANSWER' } });
    await d.unplug();
    const missing = await probeIcarus(d.path, { baudRate: 115200, difficulty: 1e-6, timeoutMs: 300 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'OPEN_FAILED' } });
  });
});

describe('USB listing and profiles', () => {
  it('reads USB ids, manufacturer and serial from a sysfs tree when udevadm is missing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'farmhand-sysfs-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const usbDev = join(root, 'devices', 'usb1', '1-1');
    const iface = join(usbDev, '1-1:1.0', 'ttyUSB0');
    mkdirSync(iface, { recursive: true });
    writeFileSync(join(usbDev, 'idVendor'), '10c4\n');
    writeFileSync(join(usbDev, 'idProduct'), 'EA60\n');
    writeFileSync(join(usbDev, 'manufacturer'), 'Silicon Labs\n');
    writeFileSync(join(usbDev, 'serial'), '0001\n');
    const classDir = join(root, 'class', 'tty');
    mkdirSync(join(classDir, 'ttyUSB0'), { recursive: true });
    symlinkSync(iface, join(classDir, 'ttyUSB0', 'device'));
    mkdirSync(join(classDir, 'ttyS0'), { recursive: true }); // not USB: not listed
    const ports = await listFromSysfs(classDir);
    expect(ports).toEqual([
      { path: '/dev/ttyUSB0', usbId: '10c4:ea60', manufacturer: 'Silicon Labs', serialNumber: '0001' },
    ]);
  });

  it('maps known USB ids to their driver', () => {
    const r = loadUsbProfiles();
    if (!r.ok) throw new Error(r.error.message);
    expect(matchUsb(r.value, '10C4:EA60')?.profile.driver).toBe('icarus');
    expect(matchUsb(r.value, '0403:6015')?.profile.driver).toBe('host-miner');
    expect(matchUsb(r.value, '1234:5678')).toBeUndefined();
  });
});
