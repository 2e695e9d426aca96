// The address ranges a technician configures: CIDR (`10.0.0.0/24`), a dash range (`10.0.0.5-10.0.0.40`
// or the short `10.0.0.5-40`), or one address. IPv4 only: farm LANs and their miners are IPv4.
import { fail, ok, type Result } from '@farmhand/core';

export interface AddressRange {
  readonly text: string;
  readonly first: number; // inclusive, as an unsigned 32-bit number
  readonly last: number;
}

export type RangeErrorCode = 'BAD_RANGE' | 'RANGE_TOO_LARGE';

/** A /16 is the largest range one scan takes; wider is almost certainly a typo. */
export const MAX_HOSTS = 65_536;

export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return (
    (((parts[0] as number) << 24) >>> 0) +
    ((parts[1] as number) << 16) +
    ((parts[2] as number) << 8) +
    (parts[3] as number)
  );
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseRange(text: string): Result<AddressRange, RangeErrorCode> {
  const t = text.trim();
  let first: number | null = null;
  let last: number | null = null;
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(t);
  const dash = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(t);
  if (cidr) {
    const addr = parseIpv4(cidr[1] as string);
    const bits = Number(cidr[2]);
    if (addr === null || bits > 32)
      return fail('BAD_RANGE', `"${text}" is not a CIDR range like 192.168.1.0/24`);
    const size = 2 ** (32 - bits);
    const network = Math.floor(addr / size) * size;
    // Network and broadcast addresses are not hosts (except in /31 and /32).
    first = bits <= 30 ? network + 1 : network;
    last = bits <= 30 ? network + size - 2 : network + size - 1;
  } else if (dash) {
    first = parseIpv4(dash[1] as string);
    const right = dash[2] as string;
    if (first !== null && /^\d{1,3}$/.test(right) && Number(right) <= 255)
      last = (first & 0xffffff00) + Number(right);
    else last = parseIpv4(right);
    if (first === null || last === null)
      return fail('BAD_RANGE', `"${text}" is not a range like 192.168.1.10-192.168.1.60 or 192.168.1.10-60`);
    if (last < first) return fail('BAD_RANGE', `"${text}" ends before it starts`);
  } else {
    first = parseIpv4(t);
    last = first;
    if (first === null)
      return fail('BAD_RANGE', `"${text}" is not an IPv4 address, a CIDR range or an a-b range`);
  }
  if (first === null || last === null) return fail('BAD_RANGE', `"${text}" is not a range`);
  if (last - first + 1 > MAX_HOSTS)
    return fail(
      'RANGE_TOO_LARGE',
      `"${text}" has ${last - first + 1} addresses; scan at most ${MAX_HOSTS} (a /16) at once`,
    );
  return ok({ text: t, first, last });
}

/** Every address of the ranges once, in order. */
export function* addresses(ranges: readonly AddressRange[]): Generator<string> {
  const seen = new Set<number>();
  for (const r of ranges) {
    for (let n = r.first; n <= r.last; n++) {
      if (seen.has(n)) continue;
      seen.add(n);
      yield formatIpv4(n);
    }
  }
}

export function countAddresses(ranges: readonly AddressRange[]): number {
  let n = 0;
  for (const _ of addresses(ranges)) n++;
  return n;
}
