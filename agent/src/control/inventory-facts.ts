import type { MinerRow } from '@farmhand/core/control-api';
import type { DeviceView } from '../discovery/discovery-service.js';

// A miner row knows what its Stratum session shows; the inventory knows the device behind it (make,
// model, temperatures, fans, the hashrate it reports). Rows and devices meet by address: a miner
// connects from its own IP. Adopted devices with no session are the farm's "down" miners.

export function withInventoryFacts(rows: MinerRow[], devices: readonly DeviceView[]): MinerRow[] {
  const byIp = new Map<string, DeviceView | null>();
  for (const d of devices) byIp.set(d.ip, byIp.has(d.ip) ? null : d); // null: ambiguous address
  const seen = new Set<string>();
  const out = rows.map((r) => {
    const d = byIp.get(r.ip);
    if (!d) return r;
    seen.add(d.ip);
    return {
      ...r,
      make: d.make,
      model: d.model,
      firmware: d.firmware,
      expectedHashrate: d.hashrateThs === null ? null : d.hashrateThs * 1e12,
      temps: d.boards.flatMap((b) => (b.tempC === undefined ? [] : [b.tempC])),
      fans: [...d.fans],
    };
  });
  for (const d of devices) {
    if (!d.adopted || seen.has(d.ip) || byIp.get(d.ip) === null) continue;
    out.push({
      id: d.ip,
      worker: '',
      ip: d.ip,
      make: d.make,
      model: d.model,
      firmware: d.firmware,
      hashrate: 0,
      expectedHashrate: d.hashrateThs === null ? null : d.hashrateThs * 1e12,
      temps: d.boards.flatMap((b) => (b.tempC === undefined ? [] : [b.tempC])),
      fans: [...d.fans],
      accepted: 0,
      rejected: 0,
      difficulty: 0,
      lastShareAt: null,
      status: 'down',
      userAgent: null,
    });
  }
  return out;
}
