import { describe, expect, it } from 'vitest';
import {
  addresses,
  countAddresses,
  parseRange,
  type AddressRange,
} from '../../../agent/src/discovery/address-range.js';

function range(text: string): AddressRange {
  const r = parseRange(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('parseRange', () => {
  it('CIDR /24 gives the 254 hosts, without network and broadcast', () => {
    const list = [...addresses([range('192.168.1.77/24')])];
    expect(list).toHaveLength(254);
    expect(list[0]).toBe('192.168.1.1');
    expect(list[253]).toBe('192.168.1.254');
  });

  it('/32, /31 and /30', () => {
    expect([...addresses([range('10.0.0.9/32')])]).toEqual(['10.0.0.9']);
    expect([...addresses([range('10.0.0.8/31')])]).toEqual(['10.0.0.8', '10.0.0.9']);
    expect([...addresses([range('10.0.0.8/30')])]).toEqual(['10.0.0.9', '10.0.0.10']);
  });

  it('a-b ranges, full and short, and single addresses', () => {
    expect([...addresses([range('127.0.0.2-127.0.0.4')])]).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect([...addresses([range('127.0.0.250-252')])]).toEqual(['127.0.0.250', '127.0.0.251', '127.0.0.252']);
    expect([...addresses([range(' 127.0.0.7 ')])]).toEqual(['127.0.0.7']);
    expect(parseRange('127.0.0.250-2').ok).toBe(false); // the short form names the last octet: 2 < 250
  });

  it('a range across an octet boundary', () => {
    expect([...addresses([range('10.0.0.254-10.0.1.1')])]).toEqual([
      '10.0.0.254',
      '10.0.0.255',
      '10.0.1.0',
      '10.0.1.1',
    ]);
  });

  it('overlapping ranges list each address once', () => {
    expect(countAddresses([range('127.0.0.1-10'), range('127.0.0.5-127.0.0.12'), range('127.0.0.3')])).toBe(
      12,
    );
  });

  it('rejects what is not a range, and ranges wider than a /16', () => {
    for (const bad of [
      '',
      'farm',
      '10.0.0.256',
      '10.0.0.0/33',
      '10.0.0.9-10.0.0.3',
      '10.0.0.1-300',
      '10.0.0/24',
    ]) {
      const r = parseRange(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('BAD_RANGE');
    }
    const wide = parseRange('10.0.0.0/8');
    expect(!wide.ok && wide.error.code).toBe('RANGE_TOO_LARGE');
    expect(parseRange('10.1.0.0/16').ok).toBe(true);
  });
});
