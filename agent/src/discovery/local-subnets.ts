// `farmhand scan --suggest`: the appliance's own LAN subnets, proposed (never scanned) so the technician
// can confirm what to scan. Subnets wider than a /16 are narrowed to the /16 around the appliance.
import type { NetworkInterfaceInfo } from 'node:os';
import { formatIpv4, parseIpv4 } from './address-range.js';

export interface SuggestedRange {
  readonly cidr: string;
  readonly interface: string;
  readonly address: string;
}

export function suggestRanges(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): SuggestedRange[] {
  const out: SuggestedRange[] = [];
  const seen = new Set<string>();
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue;
      const addr = parseIpv4(info.address);
      const mask = parseIpv4(info.netmask);
      if (addr === null || mask === null) continue;
      let bits = 0;
      for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) bits++;
      if (bits < 16) bits = 16;
      if (bits > 30) continue; // point-to-point links hold no farm
      const network = (addr & (bits === 32 ? 0xffffffff : ~(2 ** (32 - bits) - 1))) >>> 0;
      const cidr = `${formatIpv4(network)}/${bits}`;
      if (seen.has(cidr)) continue;
      seen.add(cidr);
      out.push({ cidr, interface: name, address: info.address });
    }
  }
  return out;
}
