import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  UplinkType,
  authProof,
  decodeMessage,
  encodeMessageBody,
  encodeMessageFrame,
  jobMessageToStratum,
  messageTypeByte,
  rejectCodeOf,
  rejectReasonOf,
  shareRecordBytes,
  stratumToJobMessage,
  toWireShare,
  verifyAuthProof,
  wireShareFields,
  type UplinkMessage,
} from '@farmhand/core/uplink';
import { REPO_ROOT } from '../support/fixtures.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const counting = Uint8Array.from({ length: 32 }, (_, i) => i);

// The vectors of docs/uplink.md, in the order and with the frame seqs the page gives.
const VECTORS: Record<string, { seq: number; message: UplinkMessage }> = {
  hello: {
    seq: 1,
    message: { type: 'hello', protocolVersion: 1, agentId: 'farm-7', software: 'farmhand/0.1.0' },
  },
  challenge: { seq: 2, message: { type: 'challenge', nonce: counting } },
  auth: {
    seq: 3,
    message: {
      type: 'auth',
      proof: unhex('ebf267105d4d5efa86148c40a42b7a9c4ef51e7437d676f4cf130960c56f6344'),
    },
  },
  welcome: {
    seq: 4,
    message: {
      type: 'welcome',
      sessionId: 42,
      extranoncePrefix: unhex('a1b2c3d4'),
      extranonce2Size: 8,
      versionMask: 0x1fffe000,
      difficulty: 1024,
    },
  },
  job: {
    seq: 5,
    message: {
      type: 'job',
      jobId: 0x1f,
      cleanJobs: true,
      prevhash: new Uint8Array(32).fill(0x11),
      version: 0x20000000,
      nbits: 0x1703255b,
      ntime: 0x6553f100,
      shareDifficulty: 65536,
      coinb1: unhex('01000000010000'),
      coinb2: unhex('ffffffff00'),
      merkleBranch: [new Uint8Array(32).fill(0x22)],
    },
  },
  shares: {
    seq: 6,
    message: {
      type: 'shares',
      extranonce2Size: 8,
      records: [
        {
          seq: 1000,
          jobId: 0x1f,
          worker: 3,
          extranonce2: unhex('0001000000000007'),
          ntimeDelta: 5,
          nonce: 0xdeadbeef,
          versionBits: 0,
        },
        {
          seq: 1002,
          jobId: 0x1f,
          worker: 4,
          extranonce2: unhex('0002000000000001'),
          ntimeDelta: 0,
          nonce: 0x01020304,
          versionBits: 0x1234,
        },
      ],
    },
  },
  ack: { seq: 7, message: { type: 'ack', sharesFrameSeq: 9, count: 2, rejected: [{ index: 1, code: 3 }] } },
  block: {
    seq: 8,
    message: {
      type: 'block',
      seq: 1003,
      jobId: 0x1f,
      worker: 3,
      header: new Uint8Array(80).fill(0xab),
      coinbase: unhex('0100000001'),
    },
  },
  event: {
    seq: 9,
    message: {
      type: 'event',
      kind: 'authorize',
      worker: 3,
      at: 0x6553f100,
      name: 'acme.rack1-s19',
      peer: '10.0.0.17:4028',
    },
  },
  status: {
    seq: 10,
    message: { type: 'status', at: 0x6553f100, miners: 200, hashrate: 2.5e16, bufferDepth: 12 },
  },
  ping: { seq: 11, message: { type: 'ping', stamp: 1700000000000 } },
  pong: { seq: 12, message: { type: 'pong', stamp: 1700000000000 } },
  error: { seq: 13, message: { type: 'error', code: 3, message: 'bad token' } },
};

/** Every "(vector `name`)" example of the page: its body and frame hex. */
function docVectors(): Map<string, { body: string; frame: string }[]> {
  const text = readFileSync(resolve(REPO_ROOT, 'docs/uplink.md'), 'utf8');
  const out = new Map<string, { body: string; frame: string }[]>();
  const section = /\(vectors? ([^)]*)\)[^\n]*\n([\s\S]*?)(?=\n## |\n\(vector|$)/g;
  for (const m of text.matchAll(section)) {
    const names = [...m[1]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!);
    const blocks = [...m[2]!.matchAll(/```\n([\s\S]*?)```/g)].map((b) => {
      const [bodyPart, framePart] = b[1]!.split(/\nframe /);
      const body = bodyPart!
        .replace(/^body /, '')
        .replace(/\((\d+) × ([0-9a-f]{2})\)/g, (_, n: string, x: string) => x.repeat(Number(n)))
        .replace(/\s+/g, '');
      return { body, frame: framePart!.replace(/\s+/g, '') };
    });
    names.forEach((name, i) => out.set(name, [blocks[i] ?? blocks[0]!]));
  }
  return out;
}

describe('uplink messages: the examples of docs/uplink.md', () => {
  const doc = docVectors();
  it('the page has one example per message', () => {
    expect([...doc.keys()].sort()).toEqual(Object.keys(VECTORS).sort());
  });
  for (const [name, { seq, message }] of Object.entries(VECTORS)) {
    it(`${name}: encodes to the page's bytes and decodes back`, () => {
      const ex = doc.get(name)![0]!;
      expect(hex(encodeMessageBody(message))).toBe(ex.body);
      const frame = encodeMessageFrame(message, seq);
      expect(hex(frame)).toBe(ex.frame);
      const [r] = new FrameDecoder().push(unhex(ex.frame));
      expect(r?.ok).toBe(true);
      if (!r?.ok) return;
      expect(r.value.seq).toBe(seq);
      expect(r.value.type).toBe(messageTypeByte(message));
      expect(decodeMessage(r.value.type, r.value.body)).toEqual({ ok: true, value: message });
    });
  }
});

describe('uplink messages: malformed bodies are typed errors', () => {
  it('every truncation of every example is BAD_BODY, never a throw', () => {
    for (const { message } of Object.values(VECTORS)) {
      const body = encodeMessageBody(message);
      const type = messageTypeByte(message);
      for (let n = 0; n < body.length; n++) {
        const r = decodeMessage(type, body.subarray(0, n));
        expect(r.ok, `${message.type} cut at ${n}`).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('BAD_BODY');
      }
      const long = decodeMessage(type, Uint8Array.of(...body, 0));
      expect(long.ok).toBe(false);
      if (!long.ok) expect(long.error.message).toMatch(/trailing|need \d+ bytes/);
    }
  });
  it('unknown type', () => {
    const r = decodeMessage(0x7e, new Uint8Array(0));
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
  });
  it('field checks: agent id, en2 size, version mask, record count, reject codes, event kind, UTF-8', () => {
    const bad: [number, string, RegExp][] = [
      [UplinkType.Hello, '0001' + '02' + '2f2f' + '00', /agent id/],
      [UplinkType.Welcome, '00000001' + '00' + '00' + '1fffe000' + '4090000000000000', /extranonce2 size 0/],
      [UplinkType.Welcome, '00000001' + '00' + '08' + 'ffffffff' + '4090000000000000', /version mask/],
      [UplinkType.Welcome, '00000001' + '00' + '08' + '00000000' + '0000000000000000', /difficulty 0/],
      [UplinkType.Shares, '0000000000000001' + '0000' + '08', /record count 0/],
      [UplinkType.Shares, '0000000000000001' + '0001' + '08' + '00'.repeat(23), /need 24 bytes/],
      [UplinkType.Shares, 'ffffffffffffffff' + '0001' + '08' + '00'.repeat(24), /2\^53/],
      [UplinkType.Ack, '00000001' + '0001' + '0001' + '0000' + '63', /reject code 99/],
      [UplinkType.Ack, '00000001' + '0001' + '0001' + '0005' + '01', /index 5/],
      [UplinkType.Ack, '00000001' + '0001' + '0002' + '0000010000' + '01', /2 rejected/],
      [UplinkType.Event, '09' + '0001' + '00000000' + '00' + '00', /event kind 9/],
      [UplinkType.Error, '0001' + '0002' + 'c328', /UTF-8/],
      [UplinkType.Job, '00000001' + '02' + '00'.repeat(60), /flags/],
    ];
    for (const [type, body, why] of bad) {
      const r = decodeMessage(type, unhex(body));
      expect(r.ok, body).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_BODY');
        expect(r.error.message).toMatch(why);
      }
    }
  });
  it('random bodies never throw', () => {
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 3000; i++) {
      const body = Uint8Array.from({ length: rnd() % 120 }, rnd);
      for (const type of Object.values(UplinkType)) expect(() => decodeMessage(type, body)).not.toThrow();
    }
  });
  it('encoding an out-of-range field is a programmer error', () => {
    expect(() =>
      encodeMessageBody({ type: 'hello', protocolVersion: 1, agentId: 'bad id', software: '' }),
    ).toThrow(RangeError);
    const rec = {
      seq: 1,
      jobId: 1,
      worker: 1,
      extranonce2: new Uint8Array(8),
      ntimeDelta: 0,
      nonce: 0,
      versionBits: 0,
    };
    expect(() =>
      encodeMessageBody({ type: 'shares', extranonce2Size: 8, records: [rec, { ...rec, seq: 70000 }] }),
    ).toThrow(/65535/);
  });
});

describe('uplink auth proof and share packing', () => {
  it('the proof verifies only with the right token, challenge and agent id', () => {
    const p = authProof('s3cret', counting, 'farm-7');
    expect(verifyAuthProof('s3cret', counting, 'farm-7', p)).toBe(true);
    expect(verifyAuthProof('s3cret!', counting, 'farm-7', p)).toBe(false);
    expect(verifyAuthProof('s3cret', counting, 'farm-8', p)).toBe(false);
    expect(verifyAuthProof('s3cret', new Uint8Array(32), 'farm-7', p)).toBe(false);
    expect(verifyAuthProof('s3cret', counting, 'farm-7', p.subarray(0, 31))).toBe(false);
  });
  it('a record is 24 bytes with an 8-byte extranonce2, and fields round-trip through the job', () => {
    expect(shareRecordBytes(8)).toBe(24);
    const job = { ntime: 0x6553f100, version: 0x20000000 };
    const r = toWireShare(
      {
        seq: 5,
        jobId: '0000001f',
        worker: 2,
        extranonce2: '0001abcdef012345',
        ntime: '6553f10a',
        nonce: 'cafebabe',
        version: '3fffe000',
      },
      job,
      8,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ jobId: 0x1f, ntimeDelta: 10, nonce: 0xcafebabe, versionBits: 0xffff });
    expect(wireShareFields(r.value, job)).toEqual({
      extranonce2: '0001abcdef012345',
      ntime: '6553f10a',
      nonce: 'cafebabe',
      version: '3fffe000',
    });
    const body = encodeMessageBody({ type: 'shares', extranonce2Size: 8, records: [r.value] });
    expect(body.length).toBe(11 + 24);
    const early = toWireShare(
      {
        seq: 6,
        jobId: '0000001f',
        worker: 2,
        extranonce2: '0001abcdef012345',
        ntime: '6553f0ff',
        nonce: '00000000',
      },
      job,
      8,
    );
    expect(early).toMatchObject({ ok: false, error: { code: 'NTIME_OUT_OF_RANGE' } });
    const outside = toWireShare(
      {
        seq: 7,
        jobId: '0000001f',
        worker: 2,
        extranonce2: '0001abcdef012345',
        ntime: '6553f100',
        nonce: '00000000',
        version: '60000000',
      },
      job,
      8,
    );
    expect(outside).toMatchObject({ ok: false, error: { code: 'BAD_FIELD' } });
  });
  it('JOB ↔ Stratum job', () => {
    const m = VECTORS.job!.message as Extract<UplinkMessage, { type: 'job' }>;
    const s = jobMessageToStratum(m);
    expect(s.jobId).toBe('0000001f');
    expect(s.ntime).toBe('6553f100');
    expect(stratumToJobMessage(s, 65536)).toEqual(m);
  });
  it('reject codes map to reasons both ways', () => {
    for (let c = 1; c <= 10; c++) expect(rejectCodeOf(rejectReasonOf(c as 1))).toBe(c);
    expect(FRAME_HEADER_BYTES).toBe(20);
  });
});
