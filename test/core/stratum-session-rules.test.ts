import { describe, expect, it } from 'vitest';
import {
  BIP320_VERSION_MASK,
  DEFAULT_WORKER,
  ExtranonceAllocator,
  STRATUM_ERROR_MESSAGES,
  StratumErrorCode,
  bytesToHex,
  checkExtranonce2,
  hexToBytes,
  negotiateVersionMask,
  nextRolledVersion,
  parseWorkerName,
  popcount32,
  prevhashToStratum,
  rolledVersion,
  stratumPrevhashToHeader,
  subdivideExtranonce,
  versionWithinMask,
} from '@farmhand/core/stratum';
import { readFixtureJson } from '../support/fixtures.js';

interface Session {
  id: string;
  notify_params?: unknown[];
  header_fields?: { prevhash_stratum: string };
  expected?: { header_hex?: string };
  input?: { version: string; mask: string };
  expected_sequence?: string[];
}
const sessions = readFixtureJson<Session[]>('bitcoin/stratum-sessions.json');
const session = (id: string): Session => sessions.find((s) => s.id === id)!;

describe('prevhash word order', () => {
  it.each([
    'derived-mainnet-542213',
    'slush-braiins-testnet3-25096',
    'public-pool-bitaxe-testnet3-2442185',
    'espminer-nonce-diff-1',
  ])('%s: Stratum form ⇄ header bytes', (id) => {
    const s = session(id);
    const stratum = (s.notify_params?.[1] as string | undefined) ?? s.header_fields!.prevhash_stratum;
    const headerPrev = s.expected!.header_hex!.slice(8, 72);
    expect(bytesToHex(stratumPrevhashToHeader(stratum))).toBe(headerPrev);
    expect(prevhashToStratum(hexToBytes(headerPrev))).toBe(stratum);
  });

  it('mainnet 542213 concretely', () => {
    expect(
      bytesToHex(stratumPrevhashToHeader('b1eb8089ccba3612d547c466c51b96adccf9c04600085a380000000000000000')),
    ).toBe('8980ebb11236bacc66c447d5ad961bc546c0f9cc385a08000000000000000000');
  });

  it('bad input is a programmer error', () => {
    expect(() => stratumPrevhashToHeader('zz')).toThrow(RangeError);
    expect(() => prevhashToStratum(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('version rolling (BIP310)', () => {
  it('Bitaxe asks ffffffff, a BIP320 server grants 1fffe000', () => {
    expect(negotiateVersionMask(0xffffffff, BIP320_VERSION_MASK)).toEqual({ ok: true, value: 0x1fffe000 });
    expect(popcount32(0x1fffe000)).toBe(16);
  });

  it('min-bit-count above what is left fails with a typed error', () => {
    expect(negotiateVersionMask(0x00006000, BIP320_VERSION_MASK, 2)).toEqual({ ok: true, value: 0x6000 });
    const r = negotiateVersionMask(0x00006000, BIP320_VERSION_MASK, 3);
    expect(r.ok ? null : r.error.code).toBe('VERSION_ROLLING_TOO_FEW_BITS');
  });

  it('public-pool share: version bits 00002000 on job 20000000 → 20002000', () => {
    expect(versionWithinMask(0x20000000, 0x00002000, 0x1fffe000)).toBe(true);
    expect(rolledVersion(0x20000000, 0x00002000, 0x1fffe000)).toBe(0x20002000);
  });

  it('bits outside the mask are refused, unless they are the job version itself', () => {
    expect(versionWithinMask(0x20000000, 0x00001000, 0x1fffe000)).toBe(false);
    expect(versionWithinMask(0x20000000, 0x80002000, 0x1fffe000)).toBe(false);
    expect(versionWithinMask(0x20000000, 0x20002000, 0x1fffe000)).toBe(true);
    expect(versionWithinMask(0x20000000, 0x00002000, 0)).toBe(false);
  });

  it('espminer-version-mask-increment vector', () => {
    const s = session('espminer-version-mask-increment');
    const mask = parseInt(s.input!.mask, 16);
    let v = parseInt(s.input!.version, 16);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) {
      v = nextRolledVersion(v, mask);
      got.push(v.toString(16).padStart(8, '0'));
    }
    expect(got).toEqual(s.expected_sequence);
    expect(nextRolledVersion(0x20ffff04, 0x00ffff00)).toBe(0x20000004);
  });
});

describe('extranonce', () => {
  it('hands out unique values under a prefix, round-robin, and reuses freed ones', () => {
    const a = new ExtranonceAllocator({ prefix: 'ab12', counterBytes: 1 });
    expect(a.size).toBe(3);
    expect(a.capacity).toBe(256);
    const got = new Set<string>();
    for (let i = 0; i < 256; i++) {
      const r = a.allocate();
      if (!r.ok) throw new Error(r.error.message);
      got.add(r.value);
    }
    expect(got.size).toBe(256);
    expect(got.has('ab1200')).toBe(true);
    expect(got.has('ab12ff')).toBe(true);
    const full = a.allocate();
    expect(full.ok ? null : full.error.code).toBe('EXTRANONCE_EXHAUSTED');
    expect(a.release('ab1242')).toBe(true);
    expect(a.release('ab1242')).toBe(false);
    expect(a.release('cd1242')).toBe(false);
    expect(a.inUse).toBe(255);
    expect(a.allocate()).toEqual({ ok: true, value: 'ab1242' });
  });

  it('does not hand a just-released value straight back', () => {
    const a = new ExtranonceAllocator({ counterBytes: 4, start: 0xfffffffe });
    expect(a.allocate()).toEqual({ ok: true, value: 'fffffffe' });
    a.release('fffffffe');
    expect(a.allocate()).toEqual({ ok: true, value: 'ffffffff' });
    expect(a.allocate()).toEqual({ ok: true, value: '00000000' });
  });

  it('checks extranonce2 length and subdivides an upstream space', () => {
    expect(checkExtranonce2('C7080000', 4)).toEqual({ ok: true, value: 'c7080000' });
    expect(checkExtranonce2('c70800', 4).ok).toBe(false);
    expect(checkExtranonce2('c708000g', 4).ok).toBe(false);
    expect(subdivideExtranonce({ extranonce1: '57A6F098', extranonce2Size: 8 }, 2)).toEqual({
      ok: true,
      value: { prefix: '57a6f098', extranonce2Size: 6 },
    });
    const r = subdivideExtranonce({ extranonce1: '57a6f098', extranonce2Size: 4 }, 3);
    expect(r.ok ? null : r.error.code).toBe('EXTRANONCE2_TOO_SMALL');
  });
});

describe('account.worker', () => {
  it.each([
    [
      'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4.bitaxe3',
      'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4',
      'bitaxe3',
    ],
    ['slush.miner1', 'slush', 'miner1'],
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', DEFAULT_WORKER],
    [' alice . rack-3.s19@a ', 'alice', 'rack-3.s19@a'],
    ['bob.', 'bob', 'default'],
  ])('%s', (raw, account, worker) => {
    expect(parseWorkerName(raw)).toEqual({ ok: true, value: { account, worker } });
  });

  it.each([
    ['', 'EMPTY_ACCOUNT'],
    ['.rig', 'EMPTY_ACCOUNT'],
    ['a'.repeat(65), 'ACCOUNT_TOO_LONG'],
    [`a.${'w'.repeat(65)}`, 'WORKER_TOO_LONG'],
    ['al ice.rig', 'BAD_CHARACTER'],
    ['alice.ri\u0000g', 'BAD_CHARACTER'],
    ['alice.rig\nx', 'BAD_CHARACTER'],
    ['ali:ce.rig', 'BAD_CHARACTER'],
    ['alice.r/g', 'BAD_CHARACTER'],
  ])('%j → %s', (raw, code) => {
    const r = parseWorkerName(raw);
    expect(r.ok ? null : r.error.code).toBe(code);
    const message = r.ok ? '' : r.error.message;
    expect([...message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });
});

describe('error codes', () => {
  it('20–25 with their standard messages', () => {
    expect(StratumErrorCode).toEqual({
      Other: 20,
      JobNotFound: 21,
      DuplicateShare: 22,
      LowDifficultyShare: 23,
      UnauthorizedWorker: 24,
      NotSubscribed: 25,
    });
    expect(STRATUM_ERROR_MESSAGES[21]).toBe('Job not found');
    expect(STRATUM_ERROR_MESSAGES[23]).toBe('Low difficulty share');
  });
});

describe('hex fields', () => {
  it('round-trips mixed case, parses and formats 32-bit fields', async () => {
    const { hex32, isHex, parseHex32 } = await import('@farmhand/core/stratum');
    expect(bytesToHex(hexToBytes('00ff7a9BC7080000'))).toBe('00ff7a9bc7080000');
    expect(Array.from(hexToBytes('0aF0'))).toEqual([0x0a, 0xf0]);
    expect(() => hexToBytes('abc')).toThrow(RangeError);
    expect(isHex('abcd', 2)).toBe(true);
    expect(isHex('abcd', 4)).toBe(false);
    expect(isHex(12)).toBe(false);
    expect(parseHex32('1fffe000')).toBe(0x1fffe000);
    expect(parseHex32('ffffffff')).toBe(0xffffffff);
    expect(parseHex32('1ffffffff')).toBe(undefined);
    expect(hex32(0x2000)).toBe('00002000');
  });
});
