// What adopting a device changes: the agent's pool first, the device's old pools kept behind it as
// backups (priority 1, 2), under a worker name chosen by IP, serial or MAC.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { PoolStatus } from '../fleet/miner-status.js';
import type { PoolTarget } from '../fleet/device-control.js';
import { parseIpv4 } from './address-range.js';

export type WorkerNaming = 'ip' | 'serial' | 'mac';

export interface NamedDevice {
  readonly ip: string;
  readonly mac: string | null;
  readonly serial: string | null;
}

/** `<account>.<name>`: serial or MAC when asked for and known, else the address (dots become dashes). */
export function workerName(account: string, naming: WorkerNaming, d: NamedDevice): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '').slice(0, 48);
  let name: string | null = null;
  if (naming === 'serial' && d.serial) name = clean(d.serial);
  if (naming === 'mac' && d.mac) name = clean(d.mac.replace(/[:-]/g, '').toLowerCase());
  if (!name) name = d.ip.replace(/\./g, '-');
  return `${account}.${name}`;
}

/** host:port of a stratum URL, lower-cased, for comparing pools (`stratum+tcp://h:p`, or AxeOS's bare host). */
export function poolEndpoint(url: string): string {
  const m = /^(?:[a-z0-9+.-]+:\/\/)?(?:[^@/]*@)?([^:/]+)(?::(\d+))?/i.exec(url.trim());
  return m ? `${(m[1] ?? '').toLowerCase()}:${m[2] ?? '3333'}` : url.toLowerCase();
}

/** A device is adopted when its first pool is the agent's stratum port. */
export function isAdopted(pools: readonly PoolStatus[], agentUrl: string): boolean {
  const first = [...pools].sort((a, b) => a.priority - b.priority)[0];
  return first !== undefined && poolEndpoint(first.url) === poolEndpoint(agentUrl);
}

export interface PoolPlan {
  readonly from: string[];
  readonly to: string[];
  readonly pools: PoolTarget[];
}

function describe(url: string, user: string): string {
  return `${url} ${user}`.trim();
}

/**
 * The new list: the agent first, then up to two of the old pools in their order (any old entry that
 * already points at the agent is dropped so it is not listed twice). Old passwords are not readable
 * over the device APIs, so backups get "x", which public pools accept.
 */
export function planPools(current: readonly PoolStatus[], agentUrl: string, worker: string): PoolPlan {
  const old = [...current].sort((a, b) => a.priority - b.priority);
  const agent = poolEndpoint(agentUrl);
  const backups = old.filter((p) => poolEndpoint(p.url) !== agent).slice(0, 2);
  const pools: PoolTarget[] = [
    { url: agentUrl, user: worker, password: 'x' },
    ...backups.map((p) => ({ url: p.url, user: p.user, password: 'x' })),
  ];
  return {
    from: old.map((p) => describe(p.url, p.user)),
    to: pools.map((p) => describe(p.url, p.user)),
    pools,
  };
}

/** The address a miner at `minerIp` reaches this machine on: loopback for loopback, else the same subnet. */
export function agentAddressFor(
  minerIp: string,
  configured: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string | null {
  if (configured) return configured;
  if (minerIp.startsWith('127.')) return '127.0.0.1';
  const miner = parseIpv4(minerIp);
  if (miner === null) return null;
  let fallback: string | null = null;
  for (const infos of Object.values(interfaces)) {
    for (const i of infos ?? []) {
      if (i.family !== 'IPv4' || i.internal) continue;
      const a = parseIpv4(i.address);
      const mask = parseIpv4(i.netmask);
      if (a === null || mask === null) continue;
      fallback ??= i.address;
      if ((a & mask) >>> 0 === (miner & mask) >>> 0) return i.address;
    }
  }
  return fallback;
}
