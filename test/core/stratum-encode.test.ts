import { describe, expect, it } from 'vitest';
import {
  encodeAuthorize,
  encodeConfigure,
  encodeConfigureResult,
  encodeError,
  encodeExtranonceSubscribe,
  encodeNotify,
  encodeResult,
  encodeSetDifficulty,
  encodeSetExtranonce,
  encodeSetVersionMask,
  encodeSubmit,
  encodeSubscribe,
  encodeSubscribeResult,
  encodeSuggestDifficulty,
  parseConfigureResult,
  parseMessage,
  parseNotifyParams,
  parseSubscribeResult,
  toClientRequest,
  toServerMessage,
  type StratumMessage,
} from '@farmhand/core/stratum';
import { readFixtureJson } from '../support/fixtures.js';

function parse(line: string): StratumMessage {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.indexOf('\n')).toBe(line.length - 1);
  const r = parseMessage(line.slice(0, -1));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function asServer(line: string) {
  const m = parse(line);
  if (m.kind === 'response') throw new Error('response');
  const r = toServerMessage(m);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function asClient(line: string) {
  const m = parse(line);
  if (m.kind === 'response') throw new Error('response');
  const r = toClientRequest(m);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const slush = readFixtureJson<{ id: string; notify_params: unknown[] }[]>(
  'bitcoin/stratum-sessions.json',
).find((s) => s.id === 'slush-braiins-testnet3-25096')!;

describe('server → client encoders', () => {
  it('notify round-trips the slush job, 9 params in order', () => {
    const job = parseNotifyParams(slush.notify_params);
    if (!job.ok) throw new Error(job.error.message);
    const line = encodeNotify(job.value);
    expect(JSON.parse(line)).toEqual({ id: null, method: 'mining.notify', params: slush.notify_params });
    expect(asServer(line)).toEqual({ kind: 'mining.notify', id: null, job: job.value });
  });

  it('set_difficulty, set_version_mask, set_extranonce', () => {
    expect(encodeSetDifficulty(512)).toBe('{"id":null,"method":"mining.set_difficulty","params":[512]}\n');
    expect(asServer(encodeSetDifficulty(0.5))).toEqual({
      kind: 'mining.set_difficulty',
      id: null,
      difficulty: 0.5,
    });
    expect(() => encodeSetDifficulty(0)).toThrow(RangeError);
    expect(encodeSetVersionMask(0x1fffe000)).toBe(
      '{"id":null,"method":"mining.set_version_mask","params":["1fffe000"]}\n',
    );
    expect(asServer(encodeSetExtranonce('ab120001', 6))).toEqual({
      kind: 'mining.set_extranonce',
      id: null,
      extranonce1: 'ab120001',
      extranonce2Size: 6,
    });
  });

  it('results and errors', () => {
    expect(encodeResult(5, true)).toBe('{"id":5,"result":true,"error":null}\n');
    expect(encodeError(4, 21)).toBe('{"id":4,"result":null,"error":[21,"Job not found",null]}\n');
    expect(encodeError(4, 23)).toBe('{"id":4,"result":null,"error":[23,"Low difficulty share",null]}\n');
    expect(encodeError('x', -32601, 'Method not found')).toBe(
      '{"id":"x","result":null,"error":[-32601,"Method not found",null]}\n',
    );
    const r = parse(encodeError(7, 22));
    expect(r).toEqual({
      kind: 'response',
      id: 7,
      result: null,
      error: { code: 22, message: 'Duplicate share', data: null },
    });
  });

  it('subscribe result in the usual shape, parsed back', () => {
    const line = encodeSubscribeResult(1, {
      extranonce1: '08000002',
      extranonce2Size: 4,
      subscriptionId: 'ae68',
    });
    expect(line).toBe(
      '{"id":1,"result":[[["mining.set_difficulty","ae68"],["mining.notify","ae68"]],"08000002",4],"error":null}\n',
    );
    const m = parse(line);
    expect(m.kind === 'response' && parseSubscribeResult(m.result)).toEqual({
      ok: true,
      value: {
        subscriptions: [
          ['mining.set_difficulty', 'ae68'],
          ['mining.notify', 'ae68'],
        ],
        extranonce1: '08000002',
        extranonce2Size: 4,
      },
    });
  });

  it('configure result, granted and refused', () => {
    const granted = encodeConfigureResult(2, { versionRollingMask: 0x1fffe000 });
    expect(granted).toBe(
      '{"id":2,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null}\n',
    );
    const refused = parse(encodeConfigureResult(2, { versionRollingMask: null, minimumDifficulty: false }));
    expect(refused.kind === 'response' && parseConfigureResult(refused.result)).toEqual({
      ok: true,
      value: { versionRolling: { accepted: false, mask: 0 }, minimumDifficulty: false },
    });
  });
});

describe('client → server encoders', () => {
  it('subscribe, authorize, configure, suggest, extranonce.subscribe, submit round-trip', () => {
    expect(asClient(encodeSubscribe(1, 'farmhand/0.1'))).toEqual({
      kind: 'mining.subscribe',
      id: 1,
      userAgent: 'farmhand/0.1',
    });
    expect(asClient(encodeAuthorize(2, 'alice.rig1'))).toEqual({
      kind: 'mining.authorize',
      id: 2,
      user: 'alice.rig1',
      password: 'x',
    });
    expect(
      asClient(
        encodeConfigure(3, {
          versionRolling: { mask: 0x1fffe000, minBitCount: 2 },
          minimumDifficulty: 64,
          subscribeExtranonce: true,
        }),
      ),
    ).toEqual({
      kind: 'mining.configure',
      id: 3,
      extensions: ['version-rolling', 'minimum-difficulty', 'subscribe-extranonce'],
      versionRolling: { mask: 0x1fffe000, minBitCount: 2 },
      minimumDifficulty: 64,
      subscribeExtranonce: true,
      extensionParams: {
        'version-rolling.mask': '1fffe000',
        'version-rolling.min-bit-count': 2,
        'minimum-difficulty.value': 64,
      },
    });
    expect(asClient(encodeSuggestDifficulty(4, 512))).toEqual({
      kind: 'mining.suggest_difficulty',
      id: 4,
      difficulty: 512,
    });
    expect(asClient(encodeExtranonceSubscribe(5))).toEqual({ kind: 'mining.extranonce.subscribe', id: 5 });
    const submit = {
      worker: 'alice.rig1',
      jobId: '1',
      extranonce2: 'c7080000',
      ntime: '64b3f3ec',
      nonce: 'ed460d91',
      versionBits: '00002000',
    };
    expect(encodeSubmit(6, submit)).toBe(
      '{"id":6,"method":"mining.submit","params":["alice.rig1","1","c7080000","64b3f3ec","ed460d91","00002000"]}\n',
    );
    expect(asClient(encodeSubmit(6, submit))).toEqual({ kind: 'mining.submit', id: 6, ...submit });
  });

  it('typed params reject bad submits', () => {
    const bad = [
      '["w","1","c708000","64b3f3ec","ed460d91"]',
      '["w","1","c7080000","64b3f3e","ed460d91"]',
      '["w","1","c7080000","64b3f3ec","ed460d9x"]',
      '["w","","c7080000","64b3f3ec","ed460d91"]',
      '["w","1","c7080000","64b3f3ec","ed460d91","2000"]',
      '[1,"1","c7080000","64b3f3ec","ed460d91"]',
      '["w"]',
    ];
    for (const params of bad) {
      const m = parse(`{"id":1,"method":"mining.submit","params":${params}}\n`);
      if (m.kind === 'response') throw new Error('response');
      const r = toClientRequest(m);
      expect(r.ok ? null : r.error.code, params).toBe('BAD_PARAMS');
    }
  });

  it('unknown client methods stay parseable', () => {
    expect(asClient('{"id":9,"method":"agent.subscribe","params":[{"x":1}]}\n')).toEqual({
      kind: 'unknown',
      id: 9,
      method: 'agent.subscribe',
      params: [{ x: 1 }],
    });
    expect(asClient('{"id":10,"method":"mining.get_transactions","params":["bf"]}\n')).toEqual({
      kind: 'mining.get_transactions',
      id: 10,
      jobId: 'bf',
    });
  });
});
