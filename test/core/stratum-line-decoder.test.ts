import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, LineDecoder, type LineResult } from '@farmhand/core/stratum';

const enc = (s: string) => new TextEncoder().encode(s);
const lines = (rs: LineResult[]) => rs.map((r) => (r.ok ? r.value : `!${r.error.code}`));

describe('LineDecoder', () => {
  it('splits lines, strips \\r\\n, ignores empty lines', () => {
    const d = new LineDecoder();
    expect(lines(d.push(enc('{"a":1}\n\r\n\n{"b":2}\r\n  \n{"c"')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(d.bufferedBytes).toBe(4);
    expect(lines(d.push(enc(':3}\n')))).toEqual(['{"c":3}']);
    expect(d.bufferedBytes).toBe(0);
    expect(d.maxLineBytes).toBe(DEFAULT_MAX_LINE_BYTES);
  });

  it('gives the same lines for every way of cutting the stream', () => {
    const text = 'alpha\r\nbeta\n\ngamma é\r\ndelta\n';
    const bytes = enc(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new LineDecoder();
      const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(lines(got)).toEqual(['alpha', 'beta', 'gamma é', 'delta']);
    }
    const d = new LineDecoder();
    const got: LineResult[] = [];
    for (const b of bytes) got.push(...d.push(Uint8Array.of(b)));
    expect(lines(got)).toEqual(['alpha', 'beta', 'gamma é', 'delta']);
  });

  it('a line of exactly the limit passes; one byte more is LINE_TOO_LONG', () => {
    const d = new LineDecoder({ maxLineBytes: 8 });
    expect(lines(d.push(enc('12345678\n123456789\nok\n')))).toEqual(['12345678', '!LINE_TOO_LONG', 'ok']);
  });

  it('discards an oversized line across chunks, reporting it once, memory bounded', () => {
    const d = new LineDecoder({ maxLineBytes: 10 });
    expect(lines(d.push(enc('0123456')))).toEqual([]);
    expect(d.bufferedBytes).toBe(7);
    const r = d.push(enc('789abc'));
    expect(lines(r)).toEqual(['!LINE_TOO_LONG']);
    expect(r[0]!.ok ? '' : r[0]!.error.message).toContain('10-byte limit');
    expect(d.discarding).toBe(true);
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(enc('x'.repeat(100_000))))).toEqual([]);
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(enc('yyy\nnext\n')))).toEqual(['next']);
    expect(d.discarding).toBe(false);
  });

  it('rejects a nonsensical limit as a programmer error', () => {
    expect(() => new LineDecoder({ maxLineBytes: 0 })).toThrow(RangeError);
  });
});
