import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';

// The USB serial ports on this machine, re-listed on a schedule; 'plugged'/'unplugged' on changes.
// serialport lists through udevadm on Linux; where that is missing (containers, minimal images) the
// same facts are read from sysfs, so the inventory works without the udev package.

export interface UsbPort {
  readonly path: string;
  /** vvvv:pppp in lowercase hex, or null for ports that are not USB (built-in UARTs, ptys). */
  readonly usbId: string | null;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
}

export type PortLister = () => Promise<UsbPort[]>;

export async function listWithSerialport(): Promise<UsbPort[]> {
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    usbId: p.vendorId && p.productId ? `${p.vendorId}:${p.productId}`.toLowerCase() : null,
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
  }));
}

/** ttyUSBn and ttyACMn from /sys/class/tty, with the USB attributes of the nearest USB device above each. */
export function listFromSysfs(root = '/sys/class/tty'): Promise<UsbPort[]> {
  const out: UsbPort[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(root).filter((n) => /^tty(USB|ACM)\d+$/.test(n));
  } catch {
    return Promise.resolve(out);
  }
  const read = (dir: string, f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  for (const name of names) {
    let dir: string;
    try {
      dir = realpathSync(join(root, name, 'device'));
    } catch {
      continue;
    }
    while (dir !== '/' && !existsSync(join(dir, 'idVendor'))) dir = dirname(dir);
    const vendor = read(dir, 'idVendor');
    const product = read(dir, 'idProduct');
    const manufacturer = read(dir, 'manufacturer');
    const serialNumber = read(dir, 'serial');
    out.push({
      path: `/dev/${name}`,
      usbId: vendor && product ? `${vendor}:${product}`.toLowerCase() : null,
      ...(manufacturer ? { manufacturer } : {}),
      ...(serialNumber ? { serialNumber } : {}),
    });
  }
  return Promise.resolve(out);
}

/** serialport's listing, falling back to sysfs when udevadm cannot run. */
export function defaultLister(logger: Logger): PortLister {
  let useSysfs = false;
  return async () => {
    if (!useSysfs) {
      try {
        return await listWithSerialport();
      } catch (e) {
        useSysfs = true;
        logger.info(
          { reason: (e as Error).message },
          'serial port listing via udevadm failed: reading sysfs instead',
        );
      }
    }
    return listFromSysfs();
  };
}

export class UsbInventory extends EventEmitter {
  private readonly known = new Map<string, UsbPort>();
  private timer: NodeJS.Timeout | null = null;
  private scanning = false;
  private monitor: ChildProcess | null = null;
  private soon: NodeJS.Timeout | null = null;
  lastError: string | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly list: PortLister,
    private readonly logger: Logger,
    /** Also re-list on udev tty events (`udevadm monitor`) where udevadm exists. */
    private readonly udev = false,
  ) {
    super();
  }

  get ports(): UsbPort[] {
    return [...this.known.values()];
  }

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
    if (this.udev) this.watchUdev();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
    this.monitor?.kill('SIGTERM');
    this.monitor = null;
  }

  /** A plug or unplug seen by udev triggers a listing at once (after a short settle); no udevadm, no harm. */
  private watchUdev(): void {
    const child = spawn('udevadm', ['monitor', '--udev', '--subsystem-match=tty'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.monitor = child;
    child.on('error', () => {
      if (this.monitor === child) this.monitor = null;
    });
    child.on('exit', () => {
      if (this.monitor === child) this.monitor = null;
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!/\b(add|remove)\b/.test(line) || this.soon) return;
      this.soon = setTimeout(() => {
        this.soon = null;
        void this.scan();
      }, 300);
    });
  }

  /** One listing: emits 'unplugged' for ports gone, then 'plugged' for new ones. */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const now = await this.list();
      this.lastError = null;
      const seen = new Set(now.map((p) => p.path));
      for (const [path, port] of this.known) {
        if (!seen.has(path)) {
          this.known.delete(path);
          this.emit('unplugged', port);
        }
      }
      for (const port of now) {
        const before = this.known.get(port.path);
        if (before && before.usbId === port.usbId && before.serialNumber === port.serialNumber) continue;
        if (before) this.emit('unplugged', before);
        this.known.set(port.path, port);
        this.emit('plugged', port);
      }
    } catch (e) {
      if (this.lastError === null)
        this.logger.warn({ err: (e as Error).message }, 'cannot list serial ports');
      this.lastError = (e as Error).message;
    } finally {
      this.scanning = false;
    }
  }
}
