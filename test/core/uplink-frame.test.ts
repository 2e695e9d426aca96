import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BODY_BYTES,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  crc32c,
  encodeFrame,
  type FrameResult,
} from '@farmhand/core/uplink';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);

// The example in docs/uplink.md, computed independently (Python, bit-by-bit CRC-32C).
const DOC_EXAMPLE = '464855500101000000000007000000054945a71768656c6c6f';
const EMPTY_EXAMPLE = '4648555001100100fffffffe00000000593e754c';

function frames(rs: FrameResult[]) {
  return rs.map((r) => (r.ok ? { ...r.value, body: hex(r.value.body) } : r.error.code));
}

describe('CRC-32C', () => {
  it('check value "123456789" → e3069283', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });
  it('known vectors and chaining', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43); // RFC 3720 B.4: 32 bytes of ff
    const data = ascii('The quick brown fox jumps over the lazy dog');
    for (let cut = 0; cut <= data.length; cut++) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(crc32c(data));
    }
  });
});

describe('encodeFrame', () => {
  it('matches the documented example byte for byte', () => {
    expect(hex(encodeFrame({ type: 1, flags: 0, seq: 7, body: ascii('hello') }))).toBe(DOC_EXAMPLE);
    expect(hex(encodeFrame({ type: 0x10, flags: 1, seq: 0xfffffffe }))).toBe(EMPTY_EXAMPLE);
    expect(FRAME_HEADER_BYTES).toBe(20);
  });

  it('rejects out-of-range fields as programmer errors', () => {
    expect(() => encodeFrame({ type: 256, seq: 0 })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 1, flags: -1, seq: 0 })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 1, seq: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 1, seq: 1.5 })).toThrow(RangeError);
  });
});

describe('FrameDecoder', () => {
  it('decodes the documented example', () => {
    const d = new FrameDecoder();
    expect(frames(d.push(unhex(DOC_EXAMPLE)))).toEqual([
      { type: 1, flags: 0, seq: 7, body: hex(ascii('hello')) },
    ]);
    expect(d.bufferedBytes).toBe(0);
    expect(d.failure).toBe(null);
    expect(d.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
  });

  it('one byte at a time, and several frames in one chunk', () => {
    const stream = new Uint8Array([...unhex(DOC_EXAMPLE), ...unhex(EMPTY_EXAMPLE), ...unhex(DOC_EXAMPLE)]);
    const want = [
      { type: 1, flags: 0, seq: 7, body: '68656c6c6f' },
      { type: 0x10, flags: 1, seq: 0xfffffffe, body: '' },
      { type: 1, flags: 0, seq: 7, body: '68656c6c6f' },
    ];
    const d1 = new FrameDecoder();
    const got: FrameResult[] = [];
    for (const b of stream) {
      got.push(...d1.push(Uint8Array.of(b)));
      expect(d1.bufferedBytes).toBeLessThan(FRAME_HEADER_BYTES + 5);
    }
    expect(frames(got)).toEqual(want);
    expect(frames(new FrameDecoder().push(stream))).toEqual(want);
  });

  it('the body is a copy: reusing the input buffer does not change a decoded frame', () => {
    const input = unhex(DOC_EXAMPLE);
    const [r] = new FrameDecoder().push(input);
    input.fill(0);
    expect(r!.ok && hex(r!.value.body)).toBe('68656c6c6f');
  });

  it.each([
    ['BAD_MAGIC', (b: Uint8Array) => (b[0] = 0x47)],
    ['BAD_VERSION', (b: Uint8Array) => (b[4] = 2)],
    ['BAD_CRC', (b: Uint8Array) => (b[20]! ^= 1)],
    ['BAD_CRC', (b: Uint8Array) => (b[5] = 2)],
    ['BAD_CRC', (b: Uint8Array) => (b[16]! ^= 0x80)],
  ])('%s, then the decoder stays failed', (code, corrupt) => {
    const bad = unhex(DOC_EXAMPLE);
    corrupt(bad);
    const d = new FrameDecoder();
    const out = d.push(new Uint8Array([...unhex(EMPTY_EXAMPLE), ...bad, ...unhex(DOC_EXAMPLE)]));
    expect(frames(out)).toEqual([{ type: 0x10, flags: 1, seq: 0xfffffffe, body: '' }, code]);
    expect(d.failure?.code).toBe(code);
    expect(d.bufferedBytes).toBe(0);
    expect(d.push(unhex(DOC_EXAMPLE))).toEqual([]);
  });

  it('TOO_LARGE is decided from the header, before any body byte is kept', () => {
    const d = new FrameDecoder({ maxBodyBytes: 4 });
    const header = unhex(DOC_EXAMPLE).subarray(0, FRAME_HEADER_BYTES);
    const out = d.push(header);
    expect(frames(out)).toEqual(['TOO_LARGE']);
    expect(out[0]!.ok ? '' : out[0]!.error.message).toBe('frame body of 5 bytes exceeds the 4-byte limit');
    expect(d.bufferedBytes).toBe(0);
    // A body of exactly the limit passes.
    const d2 = new FrameDecoder({ maxBodyBytes: 5 });
    expect(frames(d2.push(unhex(DOC_EXAMPLE)))).toHaveLength(1);
  });

  it('a 4 GiB length prefix is refused at once', () => {
    const h = unhex(DOC_EXAMPLE).subarray(0, FRAME_HEADER_BYTES);
    h.set([0xff, 0xff, 0xff, 0xff], 12);
    const d = new FrameDecoder();
    expect(frames(d.push(h))).toEqual(['TOO_LARGE']);
    expect(d.bufferedBytes).toBe(0);
  });

  it('a 1 MiB body fed in 1 KiB pieces', () => {
    const body = new Uint8Array(DEFAULT_MAX_BODY_BYTES);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const f = encodeFrame({ type: 3, seq: 1, body });
    const d = new FrameDecoder();
    const got: FrameResult[] = [];
    for (let at = 0; at < f.length; at += 1024) got.push(...d.push(f.subarray(at, at + 1024)));
    expect(got).toHaveLength(1);
    // Buffer.equals, not toEqual: a deep compare of a megabyte is slow.
    expect(got[0]!.ok && Buffer.from(body).equals(got[0]!.value.body)).toBe(true);
  });
});
