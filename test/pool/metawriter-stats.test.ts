import { describe, expect, it } from 'vitest';
import {
  decodeStatsBatch,
  encodeStatsBatch,
  MinuteAggregator,
  parseStatsBatch,
  type StatsBatch,
} from '@farmhand/core/stats';
import { parseMetawriterConfig } from '../../pool/src/metawriter/config.js';
import { formatFloat, miningKey, monitorHostKey } from '../../pool/src/metawriter/redis-keys.js';
import { planWrites, PlanState } from '../../pool/src/metawriter/write-plan.js';

const M = 1_482_252_540;

describe('stats batch parsing (the boundary)', () => {
  const good: StatsBatch = {
    source: 'gw1',
    seq: 9,
    host: '10.0.0.5',
    coin: 'btc',
    records: [
      { kind: 'share', minute: M, user: 'u', worker: 'w', accepted: 1, rejected: 0, pow: 16, goal: 1e-12 },
      { kind: 'monitor_float', minute: M, key: 'goal', value: 1e-12 },
    ],
  };

  it('round-trips a batch through its JSON body', () => {
    expect(decodeStatsBatch(encodeStatsBatch(good))).toEqual({ ok: true, value: good });
  });

  it.each([
    [{ ...good, seq: -1 }, 'batch.seq: expected a non-negative integer'],
    [{ ...good, coin: 'b tc' }, 'batch.coin'],
    [
      { ...good, records: [{ ...good.records[0], minute: M + 1 }] },
      'records[0].minute: 1482252541 is not a minute start',
    ],
    [{ ...good, records: [{ ...good.records[0], user: 'a:b' }] }, 'batch.records[0].user'],
    [
      { ...good, records: [{ ...good.records[0], pow: 1.5 }] },
      'batch.records[0].pow: expected a non-negative integer',
    ],
    [
      { ...good, records: [{ kind: 'block', user: 'u', worker: 'w', name: 'BTC', hash: 'xyz' }] },
      'records[0].hash',
    ],
    [{ ...good, records: [{ kind: 'nope' }] }, 'batch.records[0].kind: expected one of'],
  ])('refuses %# with a message naming the field', (input, message) => {
    const r = parseStatsBatch(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BATCH_INVALID');
      expect(r.error.message).toContain(message);
    }
  });

  it('refuses a body that is not JSON', () => {
    const r = decodeStatsBatch('{"source":');
    expect(r.ok ? '' : r.error.message).toMatch(/^invalid stats batch: body is not JSON/);
  });
});

describe('minute aggregation on the gateway side', () => {
  it('sums shares per minute, user and worker and emits closed minutes only', () => {
    const agg = new MinuteAggregator({ source: 'gw1', host: 'h', coin: 'btc', firstSeq: 40 });
    const share = { user: 'u', worker: 'w', difficulty: 1024, networkDifficulty: 2048 };
    agg.addShare({ ...share, time: M + 1, accepted: true });
    agg.addShare({ ...share, time: M + 59, accepted: true });
    agg.addShare({ ...share, time: M + 30, accepted: false, rejectCode: 23 });
    agg.addShare({ ...share, time: M + 61, accepted: true });
    expect(agg.takeClosedMinutes(M + 59)).toEqual([]);
    const [b] = agg.takeClosedMinutes(M + 60);
    expect(b?.seq).toBe(40);
    expect(b?.records).toEqual([
      { kind: 'share', minute: M, user: 'u', worker: 'w', accepted: 2, rejected: 1, pow: 2048, goal: 1 },
      { kind: 'monitor_int', minute: M, key: 'share', value: 2 },
      { kind: 'monitor_int', minute: M, key: 'pow', value: 2048 },
      { kind: 'monitor_int', minute: M, key: 'reject', value: 1 },
      { kind: 'monitor_int', minute: M, key: 'reject_23', value: 1 },
      { kind: 'monitor_float', minute: M, key: 'goal', value: 1 },
    ]);
    const [next] = agg.takeClosedMinutes(Infinity);
    expect(next?.seq).toBe(41);
    expect(next?.records[0]).toMatchObject({ minute: M + 60, accepted: 1, pow: 1024 });
  });

  it('credits fractional difficulty as integer work without losing the remainder', () => {
    const agg = new MinuteAggregator({ source: 'gw1', host: 'h', coin: 'btc' });
    for (let i = 0; i < 10; i++) {
      agg.addShare({
        user: 'u',
        worker: 'w',
        time: M + i,
        accepted: true,
        difficulty: 0.25,
        networkDifficulty: 1,
      });
    }
    agg.addShare({
      user: 'u',
      worker: 'w',
      time: M + 60,
      accepted: true,
      difficulty: 0.5,
      networkDifficulty: 1,
    });
    const pows = agg
      .takeClosedMinutes(Infinity)
      .flatMap((b) => b.records)
      .flatMap((r) => (r.kind === 'share' ? [r.pow] : []));
    // 2.5 then 0.5: 2 credited in the first minute, the carried 0.5 completes 1 in the second.
    expect(pows).toEqual([2, 1]);
  });

  it('splits big flushes into batches of bounded size with consecutive sequences', () => {
    const agg = new MinuteAggregator({ source: 'g', host: 'h', coin: 'btc', maxRecordsPerBatch: 2 });
    agg.addBlock('u', 'w', 'BTC', '00'.repeat(32));
    agg.addConnection('u', 'w', '10.0.0.1', 'connected');
    agg.addConnection('u', 'w', '10.0.0.1', 'disconnected');
    const out = agg.takeEvents();
    expect(out.map((b) => [b.seq, b.records.length])).toEqual([
      [0, 2],
      [1, 1],
    ]);
    expect(agg.takeEvents()).toEqual([]);
  });
});

describe('write plan', () => {
  it('builds the seed key names', () => {
    expect(miningKey('btc', 's', 'haiyang', 'example', true)).toBe('btc:s:haiyang:example:reject');
    expect(miningKey('btc', 'p', 'haiyang')).toBe('btc:p:haiyang');
    expect(monitorHostKey('btc', '127.0.0.1', 'pow')).toBe('btc:mh:127.0.0.1:pow');
  });

  it('formats floats like %.16g', () => {
    expect(formatFloat(0.1 + 0.2)).toBe('0.3');
    expect(formatFloat(1.5e-9)).toBe('1.5e-9');
    expect(formatFloat(123456.789)).toBe('123456.789');
    expect(formatFloat(0)).toBe('0');
  });

  it('re-adds key-set members at most once per refresh period, and only after commit', () => {
    const state = new PlanState({ keySetRefreshSeconds: 3600, newWorkerPeriodSeconds: 3600 });
    const b: StatsBatch = {
      source: 's',
      seq: 1,
      host: 'h',
      coin: 'btc',
      records: [{ kind: 'monitor_int', minute: M, key: 'block', value: 1 }],
    };
    const sadds = (t: number, commit: boolean): number => {
      const plan = planWrites([b], state, t);
      if (commit) plan.commit();
      return plan.ops.filter((o) => o.op === 'sadd').length;
    };
    expect(sadds(M, false)).toBe(2); // not committed (Redis failed): asked again next time
    expect(sadds(M, true)).toBe(2);
    expect(sadds(M + 3599, true)).toBe(0);
    expect(sadds(M + 3600, true)).toBe(2);
  });
});

describe('metawriter config', () => {
  it('fills defaults and names the bad key', () => {
    const c = parseMetawriterConfig({
      listen: { host: '127.0.0.1', port: 3000 },
      redis: { url: 'redis://127.0.0.1:6379' },
    });
    expect(c.ok && c.value.markerTtlSeconds).toBe(3600);
    const bad = parseMetawriterConfig({ listen: { host: '127.0.0.1', port: 3000 }, redis: { cluster: [] } });
    expect(bad.ok ? '' : bad.error.message).toBe(
      'config.redis.cluster: expected a non-empty list of redis://host:port seed URLs',
    );
    const ttl = parseMetawriterConfig({
      listen: { host: '127.0.0.1', port: 3000 },
      redis: { url: 'redis://x:1' },
      markerTtlSeconds: 5,
    });
    expect(ttl.ok ? '' : ttl.error.message).toBe('config.markerTtlSeconds: expected an integer ≥ 60');
  });
});
