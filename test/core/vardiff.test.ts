import { describe, expect, it } from 'vitest';
import { DEFAULT_VARDIFF, Vardiff } from '@farmhand/core/vardiff';

/** A miner doing `hashrate` hashes/s sends a share every diff*2^32/hashrate seconds on average. */
function simulate(
  v: Vardiff,
  hashrate: number,
  seconds: number,
  start = 0,
): { t: number; changes: number[] } {
  let t = start;
  const changes: number[] = [];
  while (t < start + seconds * 1000) {
    t += ((v.difficulty * 2 ** 32) / hashrate) * 1000;
    const next = v.onShare(t);
    if (next !== null) changes.push(next);
  }
  return { t, changes };
}

describe('vardiff', () => {
  it('converges a 100 TH/s miner from the minimum to a share every ~4 s', () => {
    const v = new Vardiff({ ...DEFAULT_VARDIFF, minDifficulty: 16 }, 16, 0);
    const hashrate = 100e12;
    const { changes } = simulate(v, hashrate, 3600);
    const interval = (v.difficulty * 2 ** 32) / hashrate;
    expect(changes.length).toBeGreaterThan(10);
    expect(changes.every((d, i) => i === 0 || d === changes[i - 1]! * 2)).toBe(true);
    expect(interval).toBeGreaterThanOrEqual(4 * DEFAULT_VARDIFF.deadBandLow);
    expect(interval).toBeLessThanOrEqual(4 * DEFAULT_VARDIFF.deadBandHigh);
  });

  it('stays put inside the dead band', () => {
    const v = new Vardiff(DEFAULT_VARDIFF, 1024, 0);
    const hashrate = (1024 * 2 ** 32) / 4; // exactly one share per 4 s at 1024
    expect(simulate(v, hashrate, 1800).changes).toEqual([]);
    expect(v.difficulty).toBe(1024);
  });

  it('halves a silent miner on tick, down to the minimum, and never below', () => {
    const v = new Vardiff({ ...DEFAULT_VARDIFF, minDifficulty: 256 }, 1024, 0);
    expect(v.tick(60_000)).toBeNull();
    expect(v.tick(120_000)).toBe(512);
    expect(v.tick(240_000)).toBe(256);
    expect(v.tick(360_000)).toBeNull();
    expect(v.difficulty).toBe(256);
    expect(v.previousDifficulty).toBe(512);
  });

  it('honours suggest_difficulty within bounds and fractional minimums', () => {
    const v = new Vardiff({ ...DEFAULT_VARDIFF, minDifficulty: 0.001, maxDifficulty: 4096 }, 1, 0);
    expect(v.suggest(0.01, 0)).toBe(0.01);
    expect(v.suggest(1e9, 0)).toBe(4096);
    expect(v.suggest(0.000001, 0)).toBe(0.001);
    expect(v.suggest(-5, 0)).toBeNull();
    expect(v.suggest(Number.NaN, 0)).toBeNull();
  });

  it('a fixed difficulty (d=N password) is not retargeted', () => {
    const v = new Vardiff(DEFAULT_VARDIFF, 1024, 0);
    v.suggest(64, 0, true);
    expect(simulate(v, 1e15, 600).changes).toEqual([]);
    expect(v.tick(10_000_000)).toBeNull();
    expect(v.difficulty).toBe(64);
  });

  it('retargets after N shares even before the time window ends', () => {
    const v = new Vardiff({ ...DEFAULT_VARDIFF, retargetShares: 10 }, 16, 0);
    for (let i = 1; i < 10; i++) expect(v.onShare(i * 10)).toBeNull();
    expect(v.onShare(100)).toBe(32);
  });
});
