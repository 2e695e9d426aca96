import { describe, expect, it } from 'vitest';
import {
  LineDecoder,
  parseMessage,
  toClientRequest,
  toServerMessage,
  type LineResult,
} from '@farmhand/core/stratum';
import { readFixtureJson } from '../support/fixtures.js';

// Seeded, bounded fuzzing: the same inputs every run, so a failure reproduces.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODES = new Set(['BAD_JSON', 'NOT_OBJECT', 'BAD_ID', 'BAD_METHOD', 'BAD_PARAMS', 'NOT_A_MESSAGE']);

const corpus: string[] = [
  ...readFixtureJson<{ messages: { message: string }[] }>(
    'bitcoin/stratum-messages-espminer.json',
  ).messages.map((m) => m.message),
  ...readFixtureJson<{ messages?: Record<string, string> }[]>('bitcoin/stratum-sessions.json').flatMap((s) =>
    Object.values(s.messages ?? {}),
  ),
];

/** Runs a line through every layer; returns the outcome code so tests can count them. */
function fullParse(line: string): string {
  const m = parseMessage(line);
  if (!m.ok) {
    expect(CODES.has(m.error.code)).toBe(true);
    expect(typeof m.error.message).toBe('string');
    return m.error.code;
  }
  if (m.value.kind === 'response') return 'response';
  const c = toClientRequest(m.value);
  const s = toServerMessage(m.value);
  for (const r of [c, s]) if (!r.ok) expect(r.error.code).toBe('BAD_PARAMS');
  return c.ok ? c.value.kind : 'BAD_PARAMS';
}

describe('stratum decoder fuzz', () => {
  it('every truncation of every real message gives a typed result', () => {
    const seen = new Set<string>();
    for (const msg of corpus) {
      for (let i = 0; i <= msg.length; i++) seen.add(fullParse(msg.slice(0, i)));
    }
    expect(seen.has('BAD_JSON')).toBe(true);
    expect(seen.has('mining.submit')).toBe(true);
  });

  it('mutated real messages never throw', () => {
    const rnd = prng(42);
    const alphabet = '{}[]",:0123456789abcdefxnulltrue-.\\ \u0000é';
    const seen = new Set<string>();
    for (let n = 0; n < 20_000; n++) {
      const base = corpus[Math.floor(rnd() * corpus.length)]!;
      const chars = [...base];
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (chars.length + 1));
        const c = alphabet[Math.floor(rnd() * alphabet.length)]!;
        const op = rnd();
        if (op < 0.4) chars[at] = c;
        else if (op < 0.7) chars.splice(at, 0, c);
        else chars.splice(at, 1);
      }
      seen.add(fullParse(chars.join('')));
    }
    expect(seen.size).toBeGreaterThan(4);
  });

  it('hostile shapes: deep nesting, huge numbers, odd ids', () => {
    expect(fullParse('['.repeat(15_000) + ']'.repeat(15_000))).toBe('NOT_OBJECT');
    expect(
      fullParse(`{"id":1,"method":"mining.submit","params":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    ).toBe('BAD_PARAMS');
    expect(fullParse('{"id":1e400,"method":"mining.subscribe","params":[]}')).toBe('BAD_ID');
    expect(fullParse('{"id":1,"method":"mining.suggest_difficulty","params":[1e400]}')).toBe('BAD_PARAMS');
    expect(fullParse('{"id":1,"method":"mining.suggest_difficulty","params":[-5]}')).toBe('BAD_PARAMS');
    expect(fullParse('{"id":1,"method":"__proto__","params":[]}')).toBe('unknown');
    expect(fullParse('{"__proto__":{"method":"x"},"id":1}')).toBe('NOT_A_MESSAGE');
  });

  it('random bytes in random chunks: lines bounded, typed, no throw', () => {
    const rnd = prng(7);
    const max = 512;
    const d = new LineDecoder({ maxLineBytes: max });
    let lines = 0;
    let tooLong = 0;
    let peak = 0;
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rnd() * 400);
      const chunk = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        // Newlines rare enough that some lines overflow, common enough that most do not.
        const r = rnd();
        chunk[i] = r < 0.004 ? 0x0a : r < 0.5 ? 0x20 + Math.floor(rnd() * 95) : Math.floor(rnd() * 256);
      }
      const out: LineResult[] = d.push(chunk);
      for (const r of out) {
        if (r.ok) {
          lines++;
          expect(new TextEncoder().encode(r.value).length).toBeLessThanOrEqual(max * 3); // U+FFFD is 3 bytes
          fullParse(r.value);
        } else {
          tooLong++;
          expect(r.error.code).toBe('LINE_TOO_LONG');
        }
      }
      peak = Math.max(peak, d.bufferedBytes);
      expect(d.bufferedBytes).toBeLessThanOrEqual(max);
    }
    expect(lines).toBeGreaterThan(100);
    expect(tooLong).toBeGreaterThan(10);
    expect(peak).toBeLessThanOrEqual(max);
  });

  it('a real session cut at random points decodes to the same messages', () => {
    const rnd = prng(99);
    const stream = new TextEncoder().encode(corpus.map((m) => `${m}\r\n`).join(''));
    for (let round = 0; round < 200; round++) {
      const d = new LineDecoder();
      const got: string[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = 1 + Math.floor(rnd() * 300);
        for (const r of d.push(stream.subarray(at, at + n))) got.push(r.ok ? r.value : r.error.code);
        at += n;
      }
      expect(got).toEqual(corpus);
      expect(d.bufferedBytes).toBe(0);
    }
  });
});
