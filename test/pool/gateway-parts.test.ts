// The gateway's pure-ish parts: the disk spool (order, acks, restart, bound, torn writes), the
// replay memory of agent record seqs, and config validation.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsBatch } from '@farmhand/core/stats';
import { CreditedSeqs } from '../../pool/src/gateway/credited-seqs.js';
import { parseGatewayConfig } from '../../pool/src/gateway/config.js';
import { StatsSpool } from '../../pool/src/stats-link/stats-spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farmhand-spool-'));
  dirs.push(d);
  return d;
}

function batch(seq: number, accepted = 1): StatsBatch {
  return {
    source: 'gw',
    seq,
    host: 'h',
    coin: 'btc',
    records: [
      { kind: 'share', minute: 60, user: 'u', worker: 'w', accepted, rejected: 0, pow: accepted, goal: 0 },
    ],
  };
}

describe('stats spool', () => {
  it('keeps batches in order until acked, across a restart, and never reuses a seq', () => {
    const dir = tempDir();
    const a = new StatsSpool(dir, 1 << 20);
    const seqs = [a.takeSeq(), a.takeSeq(), a.takeSeq()];
    expect(seqs).toEqual([0, 1, 2]);
    for (const s of seqs) expect(a.append(batch(s, s + 1))).toBe(true);
    a.ack(1);
    expect(a.next(-1, 10)).toEqual([0, 2]);
    expect(a.read(2)?.records[0]).toMatchObject({ accepted: 3 });
    a.close();

    const b = new StatsSpool(dir, 1 << 20);
    expect(b.next(-1, 10)).toEqual([0, 2]);
    expect(b.pending).toBe(2);
    expect(b.takeSeq()).toBeGreaterThan(2);
    b.ack(0);
    b.ack(2);
    expect(b.pending).toBe(0);
    b.close();
    const c = new StatsSpool(dir, 1 << 20);
    expect(c.pending).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('a seq taken but never written is still not reused after a crash (reservation file)', () => {
    const dir = tempDir();
    const a = new StatsSpool(dir, 1 << 20);
    const used = a.takeSeq();
    // crash: nothing appended, no close
    const b = new StatsSpool(dir, 1 << 20);
    expect(b.takeSeq()).toBeGreaterThan(used);
  });

  it('drops and counts batches past the bound, keeping what it holds', () => {
    const dir = tempDir();
    const one = Buffer.byteLength(JSON.stringify(batch(0))) + 1;
    const s = new StatsSpool(dir, one * 2 + 10);
    expect(s.append(batch(s.takeSeq()))).toBe(true);
    expect(s.append(batch(s.takeSeq()))).toBe(true);
    expect(s.append(batch(s.takeSeq()))).toBe(false);
    expect(s.dropped).toBe(1);
    expect(s.droppedRecords).toBe(1);
    expect(s.next(-1, 10)).toEqual([0, 1]);
  });

  it('skips a torn last line after a crash and reports it', () => {
    const dir = tempDir();
    const a = new StatsSpool(dir, 1 << 20);
    a.append(batch(a.takeSeq()));
    a.close();
    const seg = readdirSync(dir).find((f) => f.endsWith('.jsonl'))!;
    appendFileSync(join(dir, seg), '{"source":"gw","seq":1,"ho');
    const b = new StatsSpool(dir, 1 << 20);
    expect(b.next(-1, 10)).toEqual([0]);
    expect(b.problems).toHaveLength(1);
  });
});

describe('credited seqs (agent replay memory)', () => {
  it('remembers credits and reject codes; folds contiguous seqs', () => {
    const c = new CreditedSeqs();
    c.start(100);
    expect(c.past(100)).toBeUndefined();
    c.credit(100);
    c.reject(101, 4);
    c.credit(103);
    expect(c.past(100)).toBe(0);
    expect(c.past(101)).toBe(4);
    expect(c.past(102)).toBeUndefined();
    expect(c.past(103)).toBe(0);
    expect(c.floor).toBe(101);
    c.credit(102);
    expect(c.floor).toBe(103);
    expect(c.past(99)).toBe(0); // before this agent's first batch: decided long ago
  });

  it('stays bounded: the floor moves up past the window', () => {
    const c = new CreditedSeqs(1000, 10);
    c.start(1);
    for (let s = 1; s <= 5000; s += 2) c.credit(s); // every other seq missing: no folding
    expect(c.held).toBeLessThanOrEqual(1000);
    expect(c.floor).toBeGreaterThanOrEqual(3999);
    for (let s = 0; s < 50; s++) c.reject(6000 + s, 3);
    expect(c.past(6000)).toBeUndefined(); // only the last 10 reject codes are kept...
    expect(c.past(6049)).toBe(3);
  });
});

describe('gateway config', () => {
  const base = {
    name: 'gw1',
    host: 'gw1.example',
    coin: 'btc',
    stratum: { host: '0.0.0.0', port: 3333 },
    uplink: { host: '0.0.0.0', port: 3334 },
    jobmaster: ['10.0.0.2:3335', '10.0.0.3:3335'],
    metawriter: '10.0.0.5:3000',
    spool: { dir: '/var/lib/farmhand/gw1-spool' },
  };

  it('fills defaults and splits addresses', () => {
    const c = parseGatewayConfig(base);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.jobmaster).toEqual([
      { host: '10.0.0.2', port: 3335 },
      { host: '10.0.0.3', port: 3335 },
    ]);
    expect(c.value).toMatchObject({
      extranoncePrefix: '00',
      extranonceCounterBytes: 3,
      minDifficulty: 16,
      rebroadcastSeconds: 55,
    });
    expect(c.value.vardiff.targetShareSeconds).toBe(4);
    expect(c.value.bans).toMatchObject({ minutes: 10, maxMalformedLines: 20, static: [] });
    expect(c.value.spool.maxMegabytes).toBe(256);
  });

  it('names the key at fault', () => {
    const bad = parseGatewayConfig({
      ...base,
      agents: [{ id: 'a b', token: 'x' }],
      metawriter: 'nowhere',
      extra: 1,
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.message).toContain('config.agents.0.id');
    expect(bad.error.message).toContain('config.agents.0.token');
    expect(bad.error.message).toContain('config.metawriter');
    expect(bad.error.message).toMatch(/extra/);
    const frac = parseGatewayConfig({ ...base, minDifficulty: 0.001, startDifficulty: 0.01 });
    expect(frac.ok).toBe(true);
    const inverted = parseGatewayConfig({ ...base, minDifficulty: 2, startDifficulty: 1 });
    expect(!inverted.ok && inverted.error.message).toContain('config.startDifficulty');
  });
});
