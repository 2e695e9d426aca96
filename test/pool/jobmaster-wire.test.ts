import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '@farmhand/core/uplink';
import {
  decodeJmMessage,
  encodeJmMessage,
  JmType,
  parseJobmasterConfig,
  type JmMessage,
} from '../../pool/src/jobmaster/index.js';

// The hex examples in docs/pool-wire.md.
const VECTORS: { msg: JmMessage; seq: number; hex: string }[] = [
  { msg: { type: 'PING' }, seq: 1, hex: '464855500147000000000001000000001993e741' },
  {
    msg: {
      type: 'NEW_TIP',
      height: 108,
      prevhash: '434d09bbaaf581fedfff03cc3de195744edd2c7a4c320ed25d2af2d96322aac8',
      curtime: 1795568811,
    },
    seq: 2,
    hex:
      '46485550014500000000000200000071e80e98da' +
      Buffer.from(
        '{"height":108,"prevhash":"434d09bbaaf581fedfff03cc3de195744edd2c7a4c320ed25d2af2d96322aac8","curtime":1795568811}',
      ).toString('hex'),
  },
  {
    msg: {
      type: 'FOUND_BLOCK',
      jobId: '1a',
      extranonce: 'aabbccdd00000001',
      ntime: '6b0631aa',
      nonce: '00000004',
      version: '20000000',
    },
    seq: 3,
    hex:
      '46485550014200000000000300000069eac4792c' +
      Buffer.from(
        '{"jobId":"1a","extranonce":"aabbccdd00000001","ntime":"6b0631aa","nonce":"00000004","version":"20000000"}',
      ).toString('hex'),
  },
];

function decodeHex(hex: string): JmMessage {
  const frames = new FrameDecoder().push(Buffer.from(hex, 'hex'));
  expect(frames.length).toBe(1);
  const f = frames[0]!;
  if (!f.ok) throw new Error(f.error.message);
  const m = decodeJmMessage(f.value);
  if (!m.ok) throw new Error(m.error.message);
  return m.value;
}

describe('jobmaster wire messages', () => {
  it('encode to the documented bytes and decode back', () => {
    for (const v of VECTORS) {
      expect(Buffer.from(encodeJmMessage(v.msg, v.seq)).toString('hex')).toBe(v.hex);
      expect(decodeHex(v.hex)).toEqual(v.msg);
    }
  });

  it('round-trips every message a jobmaster sends', () => {
    const job = {
      jobId: '1',
      prevhash: '00'.repeat(32),
      coinb1: '01',
      coinb2: '02',
      merkleBranch: ['11'.repeat(32)],
      version: '20000000',
      nbits: '207fffff',
      ntime: '6b0631aa',
      cleanJobs: true,
    };
    const msgs: JmMessage[] = [
      { type: 'HELLO', name: 'gw-1' },
      {
        type: 'JOB',
        job,
        height: 108,
        prevhash: 'ab'.repeat(32),
        target: '7fffff' + '0'.repeat(58),
        extranonceSize: 12,
        coinbasevalue: 5e9,
        empty: false,
        createdAt: 1,
      },
      {
        type: 'BLOCK_RESULT',
        jobId: '1',
        hash: 'cd'.repeat(32),
        height: 108,
        accepted: true,
        answers: [{ node: 'a', result: null }],
      },
      { type: 'NEW_BLOCK', jobId: '1', hash: 'cd'.repeat(32), height: 108, user: 'alice', at: 5 },
      { type: 'ERROR', code: 'UNKNOWN_JOB', message: 'job 9 is not known', jobId: '9' },
      { type: 'PONG' },
    ];
    for (const m of msgs) expect(decodeHex(Buffer.from(encodeJmMessage(m, 9)).toString('hex'))).toEqual(m);
  });

  it('names the wrong field of a malformed body', () => {
    const frame = (type: number, body: string) => ({
      type,
      flags: 0,
      seq: 1,
      body: new TextEncoder().encode(body),
    });
    const cases: [number, string, string][] = [
      [
        JmType.FOUND_BLOCK,
        '{"jobId":"1","extranonce":"aa","ntime":"1","nonce":"00000000","version":"20000000"}',
        'FOUND_BLOCK.ntime',
      ],
      [JmType.FOUND_BLOCK, '{"jobId":"x y","extranonce":"aa"}', 'FOUND_BLOCK.jobId'],
      [JmType.NEW_TIP, '{"height":-1}', 'NEW_TIP.height'],
      [JmType.NEW_TIP, '[1]', 'not a JSON object'],
      [0x99, '{}', 'not a jobmaster message'],
    ];
    for (const [type, body, want] of cases) {
      const r = decodeJmMessage(frame(type, body));
      expect(!r.ok && r.error.message).toContain(want);
    }
  });
});

describe('jobmaster config', () => {
  const base = {
    bitcoind: { url: 'http://u:p@127.0.0.1:18443' },
    payoutAddress: 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5',
    listen: { host: '127.0.0.1', port: 3335 },
  };

  it('fills the defaults and accepts one node or a list', () => {
    const r = parseJobmasterConfig(base);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.bitcoind).toEqual([{ url: 'http://u:p@127.0.0.1:18443' }]);
    expect(r.value.extranonceSize).toBe(12);
    expect(r.value.longPoll).toBe(true);
    expect(r.value.network).toBeUndefined();
    const two = parseJobmasterConfig({
      ...base,
      bitcoind: ['http://a:b@127.0.0.1:1', { url: 'http://127.0.0.1:2', cookieFile: '/x/.cookie' }],
      network: 'regtest',
    });
    expect(two.ok && two.value.bitcoind.length).toBe(2);
  });

  it('says what is wrong', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, bitcoind: [] }, 'config.bitcoind'],
      [{ ...base, bitcoind: { url: 'http://127.0.0.1:1' } }, 'credentials in the url'],
      [{ ...base, bitcoind: { url: 'ftp://u:p@x' } }, 'http://'],
      [{ ...base, network: 'mainnet' }, 'config.payoutAddress'],
      [{ ...base, network: 'moon' }, 'config.network'],
      [{ ...base, listen: { port: 1 } }, 'config.listen'],
      [{ ...base, extranonceSize: 2 }, 'config.extranonceSize'],
      [{ ...base, coinbaseTag: 'x'.repeat(61) }, 'config.coinbaseTag'],
      [{ ...base, longpoll: true }, 'config.longpoll: unknown key'],
    ];
    for (const [c, want] of cases) {
      const r = parseJobmasterConfig(c);
      expect(!r.ok && r.error.message).toContain(want);
    }
  });
});
