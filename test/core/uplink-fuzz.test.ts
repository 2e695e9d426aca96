import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  encodeFrame,
  type Frame,
  type FrameResult,
} from '@farmhand/core/uplink';

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

const CODES = new Set(['BAD_MAGIC', 'BAD_VERSION', 'TOO_LARGE', 'BAD_CRC']);
const MAX = 4096;

function randomFrame(rnd: () => number): Frame {
  const body = new Uint8Array(Math.floor(rnd() * rnd() * MAX));
  for (let i = 0; i < body.length; i++) body[i] = Math.floor(rnd() * 256);
  return {
    type: Math.floor(rnd() * 256),
    flags: Math.floor(rnd() * 256),
    seq: Math.floor(rnd() * 2 ** 32),
    body,
  };
}

function feed(d: FrameDecoder, stream: Uint8Array, rnd: () => number, maxChunk: number): FrameResult[] {
  const out: FrameResult[] = [];
  let at = 0;
  while (at < stream.length) {
    const n = 1 + Math.floor(rnd() * maxChunk);
    out.push(...d.push(stream.subarray(at, at + n)));
    expect(d.bufferedBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES + d.maxBodyBytes);
    at += n;
  }
  return out;
}

describe('uplink frame decoder fuzz', () => {
  it('valid frames in random chunks come out unchanged', () => {
    const rnd = prng(1);
    for (let round = 0; round < 60; round++) {
      const sent = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => randomFrame(rnd));
      const bytes = sent.map((f) => encodeFrame(f));
      const stream = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of bytes) {
        stream.set(b, at);
        at += b.length;
      }
      const d = new FrameDecoder({ maxBodyBytes: MAX });
      const got = feed(d, stream, rnd, round % 3 === 0 ? 3 : 700);
      const show = (f: Frame) => `${f.type}/${f.flags}/${f.seq}/${Buffer.from(f.body).toString('base64')}`;
      expect(got.map((r) => (r.ok ? show(r.value) : r.error.code))).toEqual(sent.map(show));
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('random bytes: typed errors only, bounded buffer, no throw', () => {
    const rnd = prng(2);
    const seen = new Set<string>();
    for (let round = 0; round < 2000; round++) {
      const stream = new Uint8Array(Math.floor(rnd() * 300));
      for (let i = 0; i < stream.length; i++) stream[i] = Math.floor(rnd() * 256);
      // Sometimes a valid magic and version, so the later checks get exercised too.
      if (rnd() < 0.6 && stream.length >= FRAME_HEADER_BYTES) {
        stream.set([0x46, 0x48, 0x55, 0x50, rnd() < 0.8 ? 1 : 2]);
        if (rnd() < 0.7)
          new DataView(stream.buffer).setUint32(
            12,
            Math.floor(rnd() * (stream.length - FRAME_HEADER_BYTES + 1)),
          );
      }
      const d = new FrameDecoder({ maxBodyBytes: MAX });
      const got = feed(d, stream, rnd, 64);
      for (const r of got) {
        if (!r.ok) {
          expect(CODES.has(r.error.code)).toBe(true);
          seen.add(r.error.code);
        }
      }
      expect(got.filter((r) => !r.ok).length).toBeLessThanOrEqual(1);
    }
    expect([...seen].sort()).toEqual(['BAD_CRC', 'BAD_MAGIC', 'BAD_VERSION', 'TOO_LARGE']);
  });

  it('every truncation of a frame is silent and buffered; every single-bit flip is an error', () => {
    const rnd = prng(3);
    const f = encodeFrame(randomFrame(rnd));
    for (let cut = 0; cut < f.length; cut++) {
      const d = new FrameDecoder({ maxBodyBytes: MAX });
      expect(d.push(f.subarray(0, cut))).toEqual([]);
      expect(d.bufferedBytes).toBe(cut);
    }
    for (let n = 0; n < 600; n++) {
      // The whole header, then random body bits.
      const bit = n < FRAME_HEADER_BYTES * 8 ? n : Math.floor(rnd() * f.length * 8);
      const g = f.slice();
      g[bit >> 3]! ^= 1 << (bit & 7);
      // The reserved byte (7) is not checked for meaning but is covered by the CRC.
      const d = new FrameDecoder({ maxBodyBytes: MAX });
      const out = d.push(g);
      // A length flip may leave the decoder waiting for more bytes; then it has not produced a frame.
      expect(out.every((r) => !r.ok)).toBe(true);
      if (out.length === 0) expect(d.bufferedBytes).toBe(g.length);
    }
  });

  it('huge length prefixes are refused from the header alone', () => {
    const rnd = prng(4);
    for (let i = 0; i < 500; i++) {
      const h = encodeFrame({ type: 1, seq: i }).slice(0, FRAME_HEADER_BYTES);
      new DataView(h.buffer).setUint32(12, MAX + 1 + Math.floor(rnd() * (2 ** 32 - MAX - 1)));
      const d = new FrameDecoder({ maxBodyBytes: MAX });
      const out = feed(d, h, rnd, 7);
      expect(out.map((r) => (r.ok ? 'frame' : r.error.code))).toEqual(['TOO_LARGE']);
      expect(d.bufferedBytes).toBe(0);
    }
  });
});
