// Active discovery: probe every address of the configured ranges with bounded concurrency, a per-host
// timeout and a total budget, identify what answers and read its status. Never throws; a host that
// refuses, hangs or answers garbage is simply not a miner.
import type { FirmwareProfile } from '../fleet/firmware-profile.js';
import type { PortMap } from '../fleet/host-probe.js';
import { readMiner, type MinerReading } from '../fleet/miner-reader.js';
import { addresses, type AddressRange } from './address-range.js';

export interface ScanOptions {
  readonly profiles: readonly FirmwareProfile[];
  /** Hosts probed at once; each host still gets one request at a time. */
  readonly concurrency?: number;
  readonly probeTimeoutMs?: number;
  readonly hostTimeoutMs?: number;
  /** No new host starts after this; hosts in flight are cut off at it. */
  readonly budgetMs?: number;
  readonly portMap?: PortMap;
  readonly credentials?: Readonly<Record<string, { user: string; password: string }>>;
  readonly onMiner?: (m: MinerReading) => void;
  /** After each address, miner or not (progress). */
  readonly onHost?: (host: string) => void;
}

export interface ScanReport {
  readonly miners: MinerReading[];
  readonly addresses: number;
  readonly probed: number;
  /** Addresses never started because the budget ran out. */
  readonly skipped: number;
  readonly budgetExhausted: boolean;
  readonly requests: number;
  readonly elapsedMs: number;
}

export const SCAN_DEFAULTS = {
  concurrency: 64,
  probeTimeoutMs: 1500,
  hostTimeoutMs: 6000,
  budgetMs: 60_000,
} as const;

export async function scan(ranges: readonly AddressRange[], opts: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? SCAN_DEFAULTS.budgetMs;
  const deadline = started + budgetMs;
  const list = [...addresses(ranges)];
  const miners: MinerReading[] = [];
  let next = 0;
  let probed = 0;
  let requests = 0;
  let budgetExhausted = false;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (next >= list.length) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        budgetExhausted = true;
        return;
      }
      const host = list[next++] as string;
      probed++;
      try {
        const r = await readMiner(host, {
          profiles: opts.profiles,
          probeTimeoutMs: opts.probeTimeoutMs ?? SCAN_DEFAULTS.probeTimeoutMs,
          hostTimeoutMs: Math.min(opts.hostTimeoutMs ?? SCAN_DEFAULTS.hostTimeoutMs, left),
          ...(opts.portMap ? { portMap: opts.portMap } : {}),
          ...(opts.credentials ? { credentials: opts.credentials } : {}),
        });
        if (r.ok) {
          requests += r.value.requests;
          miners.push(r.value);
          opts.onMiner?.(r.value);
        }
      } catch {
        // readMiner returns errors as values; this only guards the scan's promise against a bug.
      }
      opts.onHost?.(host);
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? SCAN_DEFAULTS.concurrency, list.length || 1));
  await Promise.all(Array.from({ length: n }, worker));
  miners.sort((a, b) => ipOrder(a.ip) - ipOrder(b.ip));
  return {
    miners,
    addresses: list.length,
    probed,
    skipped: list.length - probed,
    budgetExhausted: budgetExhausted || list.length > probed,
    requests,
    elapsedMs: Date.now() - started,
  };
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}
