import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../agent/src/discovery/address-range.js';
import { suggestRanges } from '../../../agent/src/discovery/local-subnets.js';
import { runScan } from '../../../agent/src/discovery/scan-command.js';

const v4 = (address: string, netmask: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask,
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
});

describe('scan --suggest', () => {
  it('proposes the LAN subnets, skipping loopback, IPv6 and point-to-point links', () => {
    const ifaces = {
      lo: [v4('127.0.0.1', '255.0.0.0', true)],
      eth0: [
        v4('192.168.1.37', '255.255.255.0'),
        {
          address: 'fe80::1',
          netmask: 'ffff:ffff:ffff:ffff::',
          family: 'IPv6',
          mac: '00:00:00:00:00:00',
          internal: false,
          cidr: null,
          scopeid: 1,
        } as NetworkInterfaceInfo,
      ],
      eth1: [v4('10.20.30.40', '255.255.252.0')],
      wg0: [v4('10.99.0.2', '255.255.255.255')],
      big: [v4('10.1.2.3', '255.0.0.0')],
      eth0dup: [v4('192.168.1.99', '255.255.255.0')],
    };
    expect(suggestRanges(ifaces).map((r) => r.cidr)).toEqual([
      '192.168.1.0/24',
      '10.20.28.0/22',
      '10.1.0.0/16',
    ]);
    for (const r of suggestRanges(ifaces)) expect(parseRange(r.cidr).ok).toBe(true);
  });

  it('prints without scanning and exits 0; no range and no --suggest is exit 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await runScan([], { suggest: true, json: true }, io)).toBe(0);
    const list = JSON.parse(out.join('')) as { cidr: string }[];
    for (const r of list) expect(parseRange(r.cidr).ok).toBe(true);
    expect(await runScan([], {}, io)).toBe(2);
    expect(err.join('')).toContain('--suggest');
  });
});
