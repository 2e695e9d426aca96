import { basename } from 'node:path';
import type { Logger } from 'pino';
import { HostMiner, hostMinerArgs } from './host-miner.js';
import { readHostMinerApi, type HostMinerApi } from './host-miner-status.js';
import { IcarusDriver, type DeviceState, type DeviceStats } from './icarus-driver.js';
import { probeIcarus } from './icarus-probe.js';
import type { SerialConfig, SerialPortConfig } from './serial-config.js';
import { defaultLister, UsbInventory, type PortLister, type UsbPort } from './usb-inventory.js';
import { loadUsbProfiles, matchUsb, type UsbProfile } from './usb-profile.js';

// Everything USB and serial in the agent: the configured ports, the inventory (hot-plug), the Icarus
// drivers and the supervised host miners. Each device mines through its own Stratum session with the
// agent, so it shows up in the miners list like any other miner (docs/serial-miners.md).

export interface SerialEvent {
  readonly kind: string;
  readonly subject: string;
  readonly detail?: string;
}

export interface SerialServiceOptions {
  readonly config: SerialConfig;
  /** The agent's own stratum port, reached on loopback. */
  readonly stratumPort: number;
  readonly logger: Logger;
  readonly onEvent: (e: SerialEvent) => void;
  /** Port listing for the inventory (tests pass their own; default serialport, then sysfs). */
  readonly lister?: PortLister;
  readonly profiles?: readonly UsbProfile[];
}

/** What the control API can show for one serial device. */
export interface SerialDeviceRecord {
  readonly path: string;
  readonly worker: string;
  readonly source: 'config' | 'usb';
  readonly usbId: string | null;
  readonly state: DeviceState;
  readonly stats: DeviceStats;
  readonly lastError: string | null;
}

export interface HostMinerRecord {
  readonly name: string;
  readonly state: string;
  readonly pid: number | null;
  readonly starts: number;
  /** The last answer of its cgminer API (summary), while it runs. */
  readonly api: HostMinerApi | null;
}

/** Worker names allow letters, digits, - and _: everything else becomes -. */
export function workerPart(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'serial';
}

/** ttyUSB0 for /dev/ttyUSB0, pts-3 for /dev/pts/3, the file name elsewhere. */
export function portName(path: string): string {
  return path.startsWith('/dev/') ? path.slice(5).replaceAll('/', '-') : basename(path);
}

export class SerialService {
  private readonly drivers = new Map<
    string,
    { driver: IcarusDriver; source: 'config' | 'usb'; usbId: string | null }
  >();
  private readonly hostMiners = new Map<
    string,
    { miner: HostMiner; usbIds: readonly string[]; apiPort: number; api: HostMinerApi | null }
  >();
  private apiTimer: NodeJS.Timeout | null = null;
  private readonly profiles: readonly UsbProfile[];
  private inventory: UsbInventory | null = null;
  private stopped = false;

  constructor(private readonly options: SerialServiceOptions) {
    if (options.profiles) this.profiles = options.profiles;
    else {
      const loaded = loadUsbProfiles();
      if (!loaded.ok) options.logger.error({ err: loaded.error.message }, 'USB profiles not loaded');
      this.profiles = loaded.ok ? loaded.value : [];
    }
  }

  start(): void {
    const c = this.options.config;
    for (const p of c.ports) this.addDriver(p, 'config', null);
    for (const h of c.hostMiners) {
      const miner = new HostMiner({
        name: h.name,
        command: h.command,
        args: hostMinerArgs(h.args, {
          url: `stratum+tcp://127.0.0.1:${this.options.stratumPort}`,
          user: `${c.account}.${h.name}`,
          difficulty: h.difficulty,
          apiPort: h.apiPort,
        }),
        restartMinMs: c.reopenMinMs,
        restartMaxMs: c.reopenMaxMs,
        healthyAfterMs: 60_000,
        stopGraceMs: 5000,
        logger: this.options.logger.child({ part: 'host-miner' }),
        onExit: (e) =>
          this.options.onEvent({
            kind: 'host-miner-exit',
            subject: h.name,
            detail: `code ${e.code ?? '-'} signal ${e.signal ?? '-'}${e.restartInMs !== null ? `, restart in ${e.restartInMs} ms` : ''}`,
          }),
      });
      this.hostMiners.set(h.name, { miner, usbIds: h.usbIds, apiPort: h.apiPort, api: null });
      if (h.usbIds.length === 0) miner.start();
    }
    if (this.hostMiners.size > 0) {
      this.apiTimer = setInterval(() => void this.pollHostMiners(), c.hostMinerPollSeconds * 1000);
      this.apiTimer.unref();
    }
    if (c.inventorySeconds > 0) {
      const inv = new UsbInventory(
        c.inventorySeconds * 1000,
        this.options.lister ?? defaultLister(this.options.logger),
        this.options.logger.child({ part: 'usb' }),
        !this.options.lister,
      );
      inv.on('plugged', (p: UsbPort) => this.onPlugged(p));
      inv.on('unplugged', (p: UsbPort) => void this.onUnplugged(p));
      this.inventory = inv;
      inv.start();
    }
  }

  devices(): SerialDeviceRecord[] {
    return [...this.drivers.values()].map(({ driver, source, usbId }) => ({
      path: driver.options.path,
      worker: driver.options.worker,
      source,
      usbId,
      state: driver.state,
      stats: { ...driver.stats },
      lastError: driver.lastError,
    }));
  }

  usbPorts(): UsbPort[] {
    return this.inventory?.ports ?? [];
  }

  hostMinerStatus(): HostMinerRecord[] {
    return [...this.hostMiners.entries()].map(([name, { miner, api }]) => ({
      name,
      state: miner.state,
      pid: miner.pid,
      starts: miner.starts,
      api: miner.state === 'running' ? api : null,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.inventory?.stop();
    if (this.apiTimer) clearInterval(this.apiTimer);
    await Promise.all([...this.drivers.values()].map((d) => d.driver.stop()));
    await Promise.all([...this.hostMiners.values()].map((h) => h.miner.stop()));
  }

  private async pollHostMiners(): Promise<void> {
    for (const h of this.hostMiners.values())
      if (h.miner.state === 'running') h.api = await readHostMinerApi(h.apiPort);
  }

  private addDriver(p: SerialPortConfig, source: 'config' | 'usb', usbId: string | null): IcarusDriver {
    const c = this.options.config;
    const worker = `${c.account}.${workerPart(p.name ?? portName(p.path))}`;
    const driver = new IcarusDriver({
      path: p.path,
      worker,
      baudRate: c.baud,
      difficulty: p.difficulty,
      hashrate: p.hashrate,
      maxWorkMs: c.maxWorkSeconds * 1000,
      silentCycles: c.silentCycles,
      reopenMinMs: c.reopenMinMs,
      reopenMaxMs: c.reopenMaxMs,
      stratum: { host: '127.0.0.1', port: this.options.stratumPort },
      logger: this.options.logger.child({ worker }),
    });
    driver.on('mining', () =>
      this.options.onEvent({ kind: 'serial-mining', subject: worker, detail: p.path }),
    );
    driver.on('lost', (reason: string) =>
      this.options.onEvent({ kind: 'serial-lost', subject: worker, detail: `${p.path}: ${reason}` }),
    );
    this.drivers.set(p.path, { driver, source, usbId });
    driver.start();
    return driver;
  }

  private onPlugged(port: UsbPort): void {
    const match = port.usbId ? matchUsb(this.profiles, port.usbId) : undefined;
    const what = match ? `${match.device.models} (${port.usbId})` : (port.usbId ?? 'not USB');
    this.options.onEvent({ kind: 'usb-plugged', subject: port.path, detail: what });
    this.options.logger.info(
      { path: port.path, usbId: port.usbId, serial: port.serialNumber },
      'USB device plugged',
    );
    if (!port.usbId) return;
    for (const { miner, usbIds } of this.hostMiners.values()) if (usbIds.includes(port.usbId)) miner.start();
    if (!match || match.profile.driver !== 'icarus' || !this.options.config.autoIcarus) return;
    if (this.drivers.has(port.path)) return; // configured explicitly: that driver reopens it by itself
    void this.probeThenMine(port, match.profile.difficulty, match.device.hashrate ?? 333e6);
  }

  private async probeThenMine(port: UsbPort, difficulty: number, hashrate: number): Promise<void> {
    const r = await probeIcarus(port.path, {
      baudRate: this.options.config.baud,
      difficulty,
      timeoutMs: 2000,
    });
    if (this.stopped || this.drivers.has(port.path)) return;
    if (!r.ok) {
      this.options.onEvent({ kind: 'usb-probe-failed', subject: port.path, detail: r.error.message });
      return;
    }
    this.addDriver(
      { path: port.path, name: port.serialNumber ?? basename(port.path), difficulty, hashrate },
      'usb',
      port.usbId,
    );
  }

  private async onUnplugged(port: UsbPort): Promise<void> {
    this.options.onEvent({ kind: 'usb-unplugged', subject: port.path, detail: port.usbId ?? '' });
    this.options.logger.warn({ path: port.path, usbId: port.usbId }, 'USB device unplugged');
    const d = this.drivers.get(port.path);
    if (d && d.source === 'usb') {
      this.drivers.delete(port.path);
      await d.driver.stop();
    }
    const still = new Set(this.inventory?.ports.map((p) => p.usbId));
    for (const { miner, usbIds } of this.hostMiners.values())
      if (usbIds.length > 0 && !usbIds.some((id) => still.has(id))) await miner.stop();
  }
}
