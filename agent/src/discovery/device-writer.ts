// Writes to devices for the discovery service: adopt (with a dry run), repoint and restart. One change
// per device at a time, a fresh reading before each (the pools shown as "from" are the device's own),
// and every write attempted lands in the audit table.
import type { Logger } from 'pino';
import { fail, ok, type Result } from '@farmhand/core';
import { changePools, restartDevice, type DeviceControlOptions } from '../fleet/device-control.js';
import type { FirmwareProfile } from '../fleet/firmware-profile.js';
import type { IdentifyError } from '../fleet/identify.js';
import type { MinerReading } from '../fleet/miner-reader.js';
import { planPools, workerName, type WorkerNaming } from './adopt-plan.js';
import type { DeviceAudit } from './device-audit.js';
import type { DeviceView } from './discovery-service.js';

export interface AdoptRequest {
  readonly ips?: readonly string[];
  readonly make?: string;
  readonly naming?: WorkerNaming;
  readonly dryRun: boolean;
}

export interface AdoptChange {
  ip: string;
  worker: string;
  from: string[];
  to: string[];
  applied: boolean;
  error?: string;
}

export type DeviceActionError =
  'NOT_IN_INVENTORY' | 'UNREACHABLE' | 'BUSY' | 'UNSUPPORTED' | 'DEVICE_REFUSED' | 'BAD_TARGET';
/** What the writer needs from the service. */
export interface DeviceAccess {
  readonly account: string;
  readonly naming: WorkerNaming;
  readonly audit: DeviceAudit;
  readonly log: Logger;
  devices(): DeviceView[];
  read(ip: string): Promise<Result<MinerReading, IdentifyError>>;
  store(m: MinerReading): void;
  profile(id: string): FirmwareProfile | undefined;
  controlOptions(ip: string): DeviceControlOptions;
  agentUrl(ip: string): string | null;
}

export class DeviceWriter {
  private readonly busy = new Set<string>();

  constructor(private readonly d: DeviceAccess) {}

  /** Re-points the selected devices at the agent (dry run: only says what would change). */
  async adopt(req: AdoptRequest): Promise<AdoptChange[]> {
    const all = this.d.devices();
    const wanted = req.ips
      ? req.ips.map((ip) => all.find((d) => d.ip === ip) ?? ip)
      : all.filter((d) => req.make === undefined || d.make === req.make || d.firmware === req.make);
    const naming = req.naming ?? this.d.naming;
    const out: AdoptChange[] = new Array<AdoptChange>(wanted.length);
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const i = next++;
        out[i] = await this.adoptOne(wanted[i] as DeviceView | string, naming, req.dryRun);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, wanted.length) }, worker));
    return out;
  }

  private async adoptOne(
    d: DeviceView | string,
    naming: WorkerNaming,
    dryRun: boolean,
  ): Promise<AdoptChange> {
    if (typeof d === 'string')
      return { ip: d, worker: '', from: [], to: [], applied: false, error: `${d} is not in the inventory` };
    const worker = workerName(this.d.account, naming, d);
    const agentUrl = this.d.agentUrl(d.ip);
    if (agentUrl === null)
      return {
        ip: d.ip,
        worker,
        from: [],
        to: [],
        applied: false,
        error: 'no local address reaches this device',
      };
    const r = await this.write(
      d.ip,
      'adopt',
      dryRun,
      (now) => planPools(now.pools, agentUrl, worker),
      worker,
    );
    return r.ok
      ? { ip: d.ip, worker, from: r.value.from, to: r.value.to, applied: r.value.applied }
      : { ip: d.ip, worker, from: [], to: [], applied: false, error: r.error.message };
  }

  /** Puts `target` first on the device, its old pools behind it. */
  async repoint(
    ip: string,
    target: { url: string; user: string; password?: string },
  ): Promise<Result<{ from: string[]; to: string[] }, DeviceActionError>> {
    if (!/^[a-z0-9+.-]+:\/\/[^/:]+:\d+/i.test(target.url))
      return fail('BAD_TARGET', `"${target.url}" is not a pool URL like stratum+tcp://host:port`);
    const r = await this.write(
      ip,
      'repoint',
      false,
      (now) => {
        const plan = planPools(now.pools, target.url, target.user);
        const first = plan.pools[0];
        if (first && target.password !== undefined) plan.pools[0] = { ...first, password: target.password };
        return plan;
      },
      target.user,
    );
    return r.ok ? ok({ from: r.value.from, to: r.value.to }) : r;
  }

  async restart(ip: string): Promise<Result<'applied', DeviceActionError>> {
    return this.withDevice(ip, async (reading, profile) => {
      const r = await restartDevice(ip, profile, this.d.controlOptions(ip));
      const pools = reading.pools.map((p) => `${p.url} ${p.user}`.trim());
      this.d.audit.record({
        at: Date.now(),
        address: ip,
        make: reading.make,
        action: 'restart',
        worker: null,
        from: pools,
        to: pools,
        ok: r.ok,
        error: r.ok ? null : r.error.message,
      });
      return r.ok ? ok('applied') : fail(r.error.code, r.error.message);
    });
  }

  private async write(
    ip: string,
    action: 'adopt' | 'repoint',
    dryRun: boolean,
    plan: (now: MinerReading) => ReturnType<typeof planPools>,
    worker: string,
  ): Promise<Result<{ from: string[]; to: string[]; applied: boolean }, DeviceActionError>> {
    type Written = { from: string[]; to: string[]; applied: boolean };
    return this.withDevice<Written>(ip, async (reading, profile) => {
      const p = plan(reading);
      if (dryRun) return ok({ from: p.from, to: p.to, applied: false });
      const r = await changePools(ip, profile, p.pools, this.d.controlOptions(ip));
      this.d.audit.record({
        at: Date.now(),
        address: ip,
        make: reading.make,
        action,
        worker,
        from: p.from,
        to: p.to,
        ok: r.ok,
        error: r.ok ? null : r.error.message,
      });
      if (!r.ok) return fail(r.error.code, r.error.message);
      this.d.log.info({ ip, action, from: p.from, to: p.to }, 'device pools changed');
      return ok({ from: p.from, to: p.to, applied: true });
    });
  }

  /** Fresh reading of an inventory device, one write at a time per device. */
  private async withDevice<T>(
    ip: string,
    work: (reading: MinerReading, profile: FirmwareProfile) => Promise<Result<T, DeviceActionError>>,
  ): Promise<Result<T, DeviceActionError>> {
    if (!this.d.devices().some((x) => x.ip === ip))
      return fail('NOT_IN_INVENTORY', `${ip} is not in the discovery inventory; scan its range first`);
    if (this.busy.has(ip)) return fail('BUSY', `${ip}: another change to this device is in progress`);
    this.busy.add(ip);
    try {
      const reading = await this.d.read(ip);
      if (!reading.ok) return fail('UNREACHABLE', reading.error.message);
      this.d.store(reading.value);
      const profile = this.d.profile(reading.value.profileId);
      if (!profile) return fail('UNREACHABLE', `${ip}: unknown firmware profile ${reading.value.profileId}`);
      return await work(reading.value, profile);
    } finally {
      this.busy.delete(ip);
    }
  }
}
