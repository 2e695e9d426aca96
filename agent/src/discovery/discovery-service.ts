// The agent's discovery: scans of the configured ranges (on request and on a schedule), the passive
// listeners (IP report, mDNS browse), the SQLite inventory, status polling with bounded concurrency,
// and the writes to devices (adopt with a dry run, repoint, restart), each one audited.
import { readFileSync } from 'node:fs';
import type { Device } from '@farmhand/core/control-api';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { fail, ok, type Result } from '@farmhand/core';
import type { AgentConfig } from '../config/index.js';
import type { DeviceControlOptions } from '../fleet/device-control.js';
import type { FirmwareProfile } from '../fleet/firmware-profile.js';
import type { PortMap } from '../fleet/host-probe.js';
import { readMiner, type MinerReading } from '../fleet/miner-reader.js';
import type { BoardStatus, PoolStatus } from '../fleet/miner-status.js';
import { loadProfiles } from '../fleet/profiles.js';
import { openDatabase } from '../store/agent-database.js';
import type { Inventory, InventoryEntry } from '../store/inventory.js';
import { addresses, parseRange, type AddressRange } from './address-range.js';
import { agentAddressFor, isAdopted, type WorkerNaming } from './adopt-plan.js';
import { startAdvertiser, type Advertiser } from './agent-advertiser.js';
import { DeviceAudit } from './device-audit.js';
import { DeviceWriter, type AdoptChange, type AdoptRequest } from './device-writer.js';
import { IpReportListener, type IpReport } from './ip-report.js';
import { browseAxeos, type MdnsDevice } from './mdns-browse.js';
import { scan } from './scanner.js';

export type DiscoveryConfig = AgentConfig['discovery'];
export type { AdoptChange, AdoptRequest, DeviceActionError } from './device-writer.js';

const PKG_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface ScanState {
  running: boolean;
  ranges: string[];
  done: number;
  total: number;
  found: number;
  startedAt: number | null;
}

/** One inventory device as the control API shows it (the contract's `Device`, plus its status). */
export interface DeviceView extends Device {
  boards: readonly BoardStatus[];
  fans: readonly number[];
  pools: readonly PoolStatus[];
  uptimeS: number | null;
  profileId: string | null;
}

export type ScanStartError = 'BAD_RANGE' | 'RANGE_NOT_CONFIGURED' | 'NOTHING_TO_SCAN' | 'SCAN_RUNNING';

export interface DiscoveryServiceOptions {
  readonly config: DiscoveryConfig;
  readonly inventory: Inventory;
  /** The agent's SQLite file; the audit table lives there (migration 3). */
  readonly dbPath: string;
  readonly stratumPort: number;
  /** Loopback: the agent is not on a LAN, so nothing is ever multicast and listeners bind 127.0.0.1. */
  readonly stratumHost: string;
  /** The configured control port, advertised over mDNS; setControlPort() corrects it when it was 0. */
  readonly controlPort?: number;
  readonly log: Logger;
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === 'localhost' || host === '::1';
}

/** Tests and CI never multicast, whatever the config says. */
function multicastAllowed(stratumHost: string): boolean {
  return !isLoopback(stratumHost) && process.env.VITEST === undefined && process.env.CI === undefined;
}

interface StoredStatus extends Partial<MinerReading> {
  readonly profileId?: string;
}

export class DiscoveryService {
  readonly audit: DeviceAudit;
  private readonly configured: AddressRange[];
  private readonly portMap: PortMap;
  /** mDNS-found devices announce their HTTP port; it replaces 80 for that address. */
  private readonly httpPorts = new Map<string, number>();
  private readonly writer: DeviceWriter;
  private readonly timers: NodeJS.Timeout[] = [];
  private ipReports: IpReportListener | null = null;
  private advertiser: Advertiser | null = null;
  private controlPort: number;
  private scanState: ScanState = { running: false, ranges: [], done: 0, total: 0, found: 0, startedAt: null };
  private scanRun: Promise<void> | null = null;
  private pollRun: Promise<void> | null = null;
  private stopped = false;
  ipReportPorts: readonly number[] = [];

  private constructor(
    private readonly o: DiscoveryServiceOptions,
    private readonly profiles: readonly FirmwareProfile[],
    private readonly db: Database.Database,
  ) {
    this.audit = new DeviceAudit(db);
    this.writer = new DeviceWriter(this);
    this.configured = o.config.ranges.flatMap((t) => {
      const r = parseRange(t);
      return r.ok ? [r.value] : [];
    });
    this.portMap = Object.fromEntries(Object.entries(o.config.portMap).map(([k, v]) => [Number(k), v]));
    this.controlPort = o.controlPort ?? 0;
  }

  static open(o: DiscoveryServiceOptions): Result<DiscoveryService, string> {
    for (const t of o.config.ranges) {
      const r = parseRange(t);
      if (!r.ok) return fail(r.error.code, `discovery.ranges: ${r.error.message}`);
    }
    const profiles = loadProfiles();
    if (!profiles.ok) return profiles;
    const db = openDatabase(o.dbPath);
    if (!db.ok) return db;
    return ok(new DiscoveryService(o, profiles.value, db.value));
  }

  /** Listeners, the advertisement and the schedules. A listener that cannot bind is logged, not fatal. */
  async start(): Promise<void> {
    const c = this.o.config;
    const { log } = this.o;
    const loopback = isLoopback(this.o.stratumHost);
    if (c.ipReport.enabled) {
      this.ipReports = new IpReportListener({
        address: loopback ? '127.0.0.1' : '0.0.0.0',
        ports: [
          { format: 'antminer', port: c.ipReport.antminerPort },
          { format: 'whatsminer', port: c.ipReport.whatsminerPort },
        ],
        onReport: (r) => void this.onIpReport(r),
      });
      const bound = await this.ipReports.start();
      if (bound.ok) this.ipReportPorts = bound.value;
      else {
        log.warn({ code: bound.error.code }, bound.error.message);
        this.ipReports = null;
      }
    }
    if (c.mdns.enabled && (c.mdns.loopbackPort !== undefined || multicastAllowed(this.o.stratumHost))) {
      try {
        this.advertiser = await startAdvertiser({
          stratumPort: this.o.stratumPort,
          controlPort: () => this.controlPort,
          version: PKG_VERSION,
          address: agentAddressFor('0.0.0.0', c.agentAddress) ?? '127.0.0.1',
          ...(c.mdns.loopbackPort !== undefined ? { loopbackPort: c.mdns.loopbackPort } : {}),
        });
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'mDNS advertisement not started');
      }
    }
    const every = (seconds: number, run: () => void) => {
      if (seconds <= 0) return;
      const t = setInterval(run, seconds * 1000);
      t.unref();
      this.timers.push(t);
    };
    if (this.configured.length > 0) {
      every(c.scanIntervalSeconds, () => void this.startScan([]));
      if (c.scanIntervalSeconds > 0) void this.startScan([]);
    }
    every(c.pollIntervalSeconds, () => void this.pollNow());
    const browse =
      c.mdns.enabled && (c.mdns.browseTargetPort !== undefined || multicastAllowed(this.o.stratumHost));
    if (browse) {
      every(c.mdns.browseIntervalSeconds, () => void this.browseNow());
      void this.browseNow();
    }
  }

  /** The control API's port (known only once it listens), for the mDNS TXT record. */
  setControlPort(port: number): void {
    this.controlPort = port;
  }

  get advertisedPort(): number | null {
    return this.advertiser?.port ?? null;
  }

  state(): ScanState {
    return { ...this.scanState, ranges: [...this.scanState.ranges] };
  }

  /** Scans `rangeTexts` (each inside the configured ranges), or all configured ranges when empty. */
  startScan(rangeTexts: readonly string[]): Result<void, ScanStartError> {
    if (this.scanRun) return fail('SCAN_RUNNING', 'a scan is already running; see GET /api/v1/discovery');
    const ranges: AddressRange[] = [];
    for (const t of rangeTexts) {
      const r = parseRange(t);
      if (!r.ok) return fail('BAD_RANGE', r.error.message);
      ranges.push(r.value);
    }
    if (ranges.length === 0) ranges.push(...this.configured);
    if (ranges.length === 0)
      return fail(
        'NOTHING_TO_SCAN',
        'no ranges configured: add them to discovery.ranges in the agent config',
      );
    const allowed = new Set(addresses(this.configured));
    for (const ip of addresses(ranges))
      if (!allowed.has(ip))
        return fail(
          'RANGE_NOT_CONFIGURED',
          `${ip} is outside discovery.ranges (${this.o.config.ranges.join(', ') || 'none'}); the agent scans only configured ranges`,
        );
    const texts = rangeTexts.length > 0 ? [...rangeTexts] : [...this.o.config.ranges];
    const total = [...addresses(ranges)].length;
    this.scanState = { running: true, ranges: texts, done: 0, total, found: 0, startedAt: Date.now() };
    const c = this.o.config;
    this.scanRun = scan(ranges, {
      profiles: this.profiles,
      concurrency: c.scanConcurrency,
      budgetMs: c.scanBudgetSeconds * 1000,
      portMap: this.portMap,
      credentials: this.credentials(),
      onHost: () => this.scanState.done++,
      onMiner: (m) => {
        this.scanState.found++;
        this.store(m);
      },
    })
      .then((report) => {
        this.o.log.info(
          { ranges: texts, found: report.miners.length, addresses: report.addresses, ms: report.elapsedMs },
          'scan done',
        );
      })
      .catch((e: unknown) => this.o.log.error({ err: (e as Error).message }, 'scan failed'))
      .finally(() => {
        this.scanState.running = false;
        this.scanRun = null;
      });
    return ok(undefined);
  }

  /** Resolves when the running scan (if any) is over. */
  async scanFinished(): Promise<void> {
    await this.scanRun;
  }

  /** Reads every inventory device once, `pollConcurrency` at a time. */
  pollNow(): Promise<void> {
    this.pollRun ??= this.poll().finally(() => (this.pollRun = null));
    return this.pollRun;
  }

  private async poll(): Promise<void> {
    const list = this.o.inventory.list().map((d) => d.address);
    let next = 0;
    const worker = async () => {
      while (next < list.length && !this.stopped) {
        const ip = list[next++] as string;
        const r = await this.read(ip);
        if (r.ok) this.store(r.value);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.config.pollConcurrency, list.length) }, worker));
  }

  async browseNow(): Promise<MdnsDevice[]> {
    const port = this.o.config.mdns.browseTargetPort;
    const found = await browseAxeos({
      durationMs: 1500,
      ...(port !== undefined ? { target: { address: '127.0.0.1', port }, bindAddress: '127.0.0.1' } : {}),
    });
    for (const d of found) {
      if (this.stopped) break;
      this.httpPorts.set(d.ip, d.port);
      const now = Date.now();
      this.o.inventory.upsert({
        address: d.ip,
        make: 'bitaxe',
        firmware: 'axeos',
        firstSeen: now,
        lastSeen: now,
      });
      const r = await this.read(d.ip);
      if (r.ok) this.store(r.value);
    }
    return found;
  }

  private async onIpReport(r: IpReport): Promise<void> {
    const now = Date.now();
    this.o.log.info({ ip: r.ip, mac: r.mac, make: r.make }, 'IP report');
    this.o.inventory.upsert({
      address: r.ip,
      make: r.make,
      ...(r.mac ? { mac: r.mac } : {}),
      firstSeen: now,
      lastSeen: now,
    });
    const read = await this.read(r.ip);
    if (read.ok && !this.stopped) this.store(read.value);
  }

  devices(): DeviceView[] {
    return this.o.inventory.list().map((d) => this.view(d));
  }

  private view(d: InventoryEntry): DeviceView {
    const s = parseStatus(d.lastStatus);
    const pools = s.pools ?? [];
    const agentUrl = this.agentUrl(d.address);
    return {
      ip: d.address,
      mac: d.mac ?? null,
      make: d.make ?? 'unknown',
      model: d.model ?? null,
      firmware: d.firmware ?? null,
      firmwareVersion: d.version ?? null,
      serial: d.serial ?? null,
      hashrateThs: s.hashrateThs ?? null,
      adopted: agentUrl !== null && isAdopted(pools, agentUrl),
      firstSeen: d.firstSeen,
      lastSeen: d.lastSeen,
      boards: s.boards ?? [],
      fans: s.fans ?? [],
      pools,
      uptimeS: s.uptimeS ?? null,
      profileId: s.profileId ?? null,
    };
  }

  adopt(req: AdoptRequest): Promise<AdoptChange[]> {
    return this.writer.adopt(req);
  }

  repoint(ip: string, target: { url: string; user: string; password?: string }) {
    return this.writer.repoint(ip, target);
  }

  restart(ip: string) {
    return this.writer.restart(ip);
  }

  read(ip: string) {
    return readMiner(ip, {
      profiles: this.profiles,
      portMap: this.portsFor(ip),
      credentials: this.credentials(),
      probeTimeoutMs: 2000,
      hostTimeoutMs: 8000,
    });
  }

  store(m: MinerReading): void {
    const now = Date.now();
    this.o.inventory.upsert({
      address: m.ip,
      make: m.make,
      firmware: m.firmware,
      ...(m.model ? { model: m.model } : {}),
      ...(m.firmwareVersion ? { version: m.firmwareVersion } : {}),
      ...(m.mac ? { mac: m.mac } : {}),
      ...(m.serial ? { serial: m.serial } : {}),
      firstSeen: now,
      lastSeen: now,
      lastStatus: JSON.stringify(m),
    });
  }

  private portsFor(ip: string): PortMap {
    const http = this.httpPorts.get(ip);
    return http === undefined ? this.portMap : { ...this.portMap, 80: http };
  }

  private credentials(): Record<string, { user: string; password: string }> {
    return this.o.config.credentials;
  }

  controlOptions(ip: string): DeviceControlOptions {
    return { portMap: this.portsFor(ip), credentials: this.credentials() };
  }

  get log(): Logger {
    return this.o.log;
  }

  get account(): string {
    return this.o.config.account;
  }

  get naming(): WorkerNaming {
    return this.o.config.naming;
  }

  profile(id: string): FirmwareProfile | undefined {
    return this.profiles.find((p) => p.id === id);
  }

  agentUrl(minerIp: string): string | null {
    const host = agentAddressFor(minerIp, this.o.config.agentAddress);
    return host === null ? null : `stratum+tcp://${host}:${this.o.stratumPort}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.ipReports?.stop();
    await this.advertiser?.close();
    await Promise.allSettled([this.scanRun, this.pollRun]);
    this.db.close();
  }
}

function parseStatus(text: string | undefined): StoredStatus {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' ? (v as StoredStatus) : {};
  } catch {
    return {};
  }
}
