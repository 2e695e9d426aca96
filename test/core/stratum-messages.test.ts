import { describe, expect, it } from 'vitest';
import {
  isAccepted,
  parseConfigureResult,
  parseMessage,
  parseNotifyParams,
  parseSubscribeResult,
  toClientRequest,
  toServerMessage,
  type StratumMessage,
  type StratumResponse,
} from '@farmhand/core/stratum';
import { readFixtureJson } from '../support/fixtures.js';

interface EspMessage {
  test_case: string;
  message: string;
  valid_json: boolean;
}
const esp = readFixtureJson<{ messages: EspMessage[] }>('bitcoin/stratum-messages-espminer.json').messages;

interface Session {
  id: string;
  messages?: Record<string, string>;
  subscribe_response?: string;
  notify_params?: unknown[];
}
const sessions = readFixtureJson<Session[]>('bitcoin/stratum-sessions.json');
const session = (id: string): Session => sessions.find((s) => s.id === id)!;

function msg(line: string): StratumMessage {
  const r = parseMessage(line);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function response(line: string): StratumResponse {
  const m = msg(line);
  expect(m.kind).toBe('response');
  return m as StratumResponse;
}

function server(line: string) {
  const m = msg(line);
  if (m.kind === 'response') throw new Error('expected a request');
  return toServerMessage(m);
}

function client(line: string) {
  const m = msg(line);
  if (m.kind === 'response') throw new Error('expected a request');
  return toClientRequest(m);
}

const ESP_BRANCH0 = 'ae23055e00f0f697cc3640124812d96d4fe8bdfa03484c1c638ce5a1c0e9aa81';

describe('ESP-Miner parser inputs (32 real message strings)', () => {
  it('has the 32 messages the fixture promises', () => {
    expect(esp).toHaveLength(32);
  });

  it('parses every message marked valid JSON, and rejects the one that is not', () => {
    for (const m of esp) {
      const r = parseMessage(m.message);
      expect(r.ok, m.test_case).toBe(m.valid_json);
    }
    const bad = parseMessage(esp[22]!.message);
    expect(bad.ok ? null : bad.error.code).toBe('BAD_JSON');
  });

  it.each([0, 1, 2, 3, 6])('mining.notify #%i', (i) => {
    const r = server(esp[i]!.message);
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'mining.notify') throw new Error('not a notify');
    const job = r.value.job;
    expect(r.value.id).toBe(null);
    expect(job.jobId).toBe(i === 6 ? '1d2e0c4d3d' : '1b4c3d9041');
    expect(job.prevhash).toBe('ef4b9a48c7986466de4adc002f7337a6e121bc43000376ea0000000000000000');
    expect(job.coinb1.startsWith('01000000010000')).toBe(true);
    expect(job.coinb1.length).toBe(180);
    expect(job.coinb2.endsWith('49bf00000000')).toBe(true);
    expect(job.merkleBranch).toHaveLength(12);
    expect(job.merkleBranch[0]).toBe(ESP_BRANCH0);
    expect(job.version).toBe('20000004');
    expect(job.nbits).toBe('1705c739');
    expect(job.ntime).toBe('64495522');
    expect(job.cleanJobs).toBe(i === 2 || i === 3);
  });

  it('mining.set_difficulty, integer and fractional', () => {
    expect(server(esp[4]!.message)).toEqual({
      ok: true,
      value: { kind: 'mining.set_difficulty', id: null, difficulty: 1638 },
    });
    expect(server(esp[5]!.message)).toEqual({
      ok: true,
      value: { kind: 'mining.set_difficulty', id: null, difficulty: 100.5 },
    });
  });

  it('subscribe result, well formed and missing its extranonce2 size', () => {
    const good = response(esp[7]!.message);
    expect(good.id).toBe(2);
    expect(good.error).toBe(null);
    expect(parseSubscribeResult(good.result)).toEqual({
      ok: true,
      value: { subscriptions: [['mining.notify', '695482c0']], extranonce1: '4de05269', extranonce2Size: 8 },
    });
    const bad = parseSubscribeResult(response(esp[8]!.message).result);
    expect(bad.ok ? null : bad.error.code).toBe('BAD_RESULT');
  });

  it('mining.set_version_mask (sent with an id)', () => {
    const m = msg(esp[9]!.message);
    expect(m.kind).toBe('request');
    expect(server(esp[9]!.message)).toEqual({
      ok: true,
      value: { kind: 'mining.set_version_mask', id: 1, mask: 0x1fffe000 },
    });
  });

  it.each([
    [10, 4],
    [11, 5],
    [12, 32769],
    [13, 65536],
  ])('result true #%i has id %i', (i, id) => {
    const r = response(esp[i]!.message);
    expect(r.id).toBe(id);
    expect(r.result).toBe(true);
    expect(isAccepted(r)).toBe(true);
  });

  it.each([
    [14, 4],
    [15, 5],
    [19, 50],
  ])('error array [21, "Job not found", ""] #%i', (i, id) => {
    const r = response(esp[i]!.message);
    expect(r.id).toBe(id);
    expect(r.result).toBe(null);
    expect(r.error).toEqual({ code: 21, message: 'Job not found', data: '' });
    expect(isAccepted(r)).toBe(false);
  });

  it('ckpool reject-reason beside result false', () => {
    const r = response(esp[16]!.message);
    expect(r).toEqual({
      kind: 'response',
      id: 8,
      result: false,
      error: null,
      rejectReason: 'Above target 2',
    });
    expect(isAccepted(r)).toBe(false);
  });

  it('error as a bare string', () => {
    const a = response(esp[17]!.message);
    expect(a).toEqual({ kind: 'response', id: 618, result: false, error: { code: null, message: 'Stale' } });
    const b = response(esp[18]!.message);
    expect(b).toEqual({ kind: 'response', id: 618, result: null, error: { code: null, message: 'Stale' } });
  });

  it('JSON-RPC 2.0 error object', () => {
    const r = response(esp[20]!.message);
    expect(r).toEqual({
      kind: 'response',
      id: 42,
      result: null,
      error: { code: 22, message: 'duplicate share', data: null },
    });
  });

  it('malformed params are typed BAD_PARAMS, not a dropped message', () => {
    const notify = server(esp[21]!.message);
    expect(notify.ok ? null : notify.error.code).toBe('BAD_PARAMS');
    const en = server(esp[24]!.message);
    expect(en.ok ? null : en.error.code).toBe('BAD_PARAMS');
  });

  it('mining.set_extranonce', () => {
    expect(server(esp[23]!.message)).toEqual({
      ok: true,
      value: { kind: 'mining.set_extranonce', id: 1, extranonce1: 'deadbeef', extranonce2Size: 8 },
    });
  });

  it.each([
    [25, null, 'client.show_message', ['Welcome to the pool!']],
    [26, null, 'client.show_message', []],
    [27, 10, 'client.get_version', []],
    [28, null, 'client.reconnect', []],
    [29, null, 'mining.ping', []],
    [30, null, 'mining.hashrate', []],
  ])('methods we do not type parse as unknown #%i', (i, id, method, params) => {
    expect(server(esp[i]!.message)).toEqual({ ok: true, value: { kind: 'unknown', id, method, params } });
    expect(msg(esp[i]!.message).kind).toBe(id === null ? 'notification' : 'request');
  });

  it('configure result with version rolling', () => {
    const r = response(esp[31]!.message);
    expect(r.id).toBe(1);
    expect(parseConfigureResult(r.result)).toEqual({
      ok: true,
      value: { versionRolling: { accepted: true, mask: 0x1fffe000 } },
    });
  });
});

describe('recorded sessions', () => {
  it('parses every message of every session', () => {
    let count = 0;
    for (const s of sessions) {
      const lines = [
        ...Object.values(s.messages ?? {}),
        ...(s.subscribe_response ? [s.subscribe_response] : []),
      ];
      for (const line of lines) {
        const m = msg(line);
        if (m.kind !== 'response') {
          const typed =
            m.method.startsWith('mining.set_') || m.method === 'mining.notify'
              ? toServerMessage(m)
              : toClientRequest(m);
          expect(typed.ok, `${s.id}: ${line}`).toBe(true);
        }
        count++;
      }
    }
    expect(count).toBe(16);
  });

  it('Bitaxe → public-pool: every request typed', () => {
    const m = session('public-pool-bitaxe-testnet3-2442185').messages!;
    expect(client(m.subscribe_request!)).toEqual({
      ok: true,
      value: { kind: 'mining.subscribe', id: 1, userAgent: 'bitaxe v2.2' },
    });
    expect(client(m.configure_request!)).toEqual({
      ok: true,
      value: {
        kind: 'mining.configure',
        id: 2,
        extensions: ['version-rolling'],
        versionRolling: { mask: 0xffffffff, minBitCount: 0 },
        subscribeExtranonce: false,
        extensionParams: { 'version-rolling.mask': 'ffffffff' },
      },
    });
    expect(client(m.authorize_request!)).toEqual({
      ok: true,
      value: {
        kind: 'mining.authorize',
        id: 3,
        user: 'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4.bitaxe3',
        password: 'x',
      },
    });
    expect(client(m.suggest_difficulty_request!)).toEqual({
      ok: true,
      value: { kind: 'mining.suggest_difficulty', id: 4, difficulty: 512 },
    });
    expect(client(m.submit!)).toEqual({
      ok: true,
      value: {
        kind: 'mining.submit',
        id: 5,
        worker: 'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4.bitaxe3',
        jobId: '1',
        extranonce2: 'c7080000',
        ntime: '64b3f3ec',
        nonce: 'ed460d91',
        versionBits: '00002000',
      },
    });
    const conf = parseConfigureResult(response(m.configure_response!).result);
    expect(conf).toEqual({ ok: true, value: { versionRolling: { accepted: true, mask: 0x1fffe000 } } });
    expect(isAccepted(response(m.submit_response!))).toBe(true);
    expect(parseSubscribeResult(response(m.subscribe_response_template!).result)).toEqual({
      ok: true,
      value: { subscriptions: [['mining.notify', '57a6f098']], extranonce1: '57a6f098', extranonce2Size: 4 },
    });
    const notify = server(m.notify!);
    expect(notify.ok && notify.value.kind === 'mining.notify' && notify.value.job.merkleBranch.length).toBe(
      3,
    );
  });

  it('slush docs example: subscribe result with two subscriptions, submit without version bits', () => {
    const m = session('slush-braiins-testnet3-25096').messages!;
    expect(parseSubscribeResult(response(m.subscribe_response!).result)).toEqual({
      ok: true,
      value: {
        subscriptions: [
          ['mining.set_difficulty', 'b4b6693b72a50c7116db18d6497cac52'],
          ['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f'],
        ],
        extranonce1: '08000002',
        extranonce2Size: 4,
      },
    });
    expect(client(m.subscribe_request!)).toEqual({ ok: true, value: { kind: 'mining.subscribe', id: 1 } });
    expect(client(m.submit!)).toEqual({
      ok: true,
      value: {
        kind: 'mining.submit',
        id: 4,
        worker: 'slush.miner1',
        jobId: 'bf',
        extranonce2: '00000001',
        ntime: '504e86ed',
        nonce: 'b2957c02',
      },
    });
    const notify = server(m.notify!);
    expect(notify.ok && notify.value.kind === 'mining.notify' && notify.value.job).toMatchObject({
      jobId: 'bf',
      merkleBranch: [],
      version: '00000002',
      nbits: '1c2ac4af',
      ntime: '504e86b9',
      cleanJobs: false,
    });
  });

  it('Eligius subscribe result with an 8-byte extranonce1', () => {
    const r = parseSubscribeResult(
      response(session('stackexchange-11318-elligius').subscribe_response!).result,
    );
    expect(r.ok && r.value.extranonce1).toBe('108fa00200000000');
    expect(r.ok && r.value.extranonce2Size).toBe(4);
  });

  it('notify params of the derived mainnet job', () => {
    const r = parseNotifyParams(session('derived-mainnet-542213').notify_params!);
    expect(r.ok && r.value).toMatchObject({ jobId: '542213', nbits: '172819a1', cleanJobs: true });
  });
});

describe('envelope errors', () => {
  it.each([
    ['[1,2,3]', 'NOT_OBJECT'],
    ['"x"', 'NOT_OBJECT'],
    ['null', 'NOT_OBJECT'],
    ['{"id":{},"method":"mining.subscribe","params":[]}', 'BAD_ID'],
    ['{"id":true,"result":true}', 'BAD_ID'],
    ['{"id":1,"method":5,"params":[]}', 'BAD_METHOD'],
    ['{"id":1,"method":"","params":[]}', 'BAD_METHOD'],
    ['{"id":1,"method":"mining.subscribe","params":{"a":1}}', 'BAD_PARAMS'],
    ['{"id":1}', 'NOT_A_MESSAGE'],
    ['{"id":1,"method":"mining.subscribe"', 'BAD_JSON'],
  ])('%s → %s', (line, code) => {
    const r = parseMessage(line);
    expect(r.ok ? null : r.error.code).toBe(code);
  });

  it('a request without params gets an empty list; a string id is kept', () => {
    expect(parseMessage('{"id":"a7","method":"mining.extranonce.subscribe"}')).toEqual({
      ok: true,
      value: { kind: 'request', id: 'a7', method: 'mining.extranonce.subscribe', params: [] },
    });
  });
});
