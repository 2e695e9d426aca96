import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { explainShare } from '../../agent/src/commands/share-check.js';
import { REPO_ROOT, readFixtureJson } from '../support/fixtures.js';

const run = promisify(execFile);
const BIN = `${REPO_ROOT}/agent/bin/farmhand.js`;

interface Case {
  id: string;
  extranonce1: string;
  extranonce2_size: number;
  notify_params: unknown[];
  submit_params: {
    worker: string;
    job_id: string;
    extranonce2: string;
    ntime: string;
    nonce: string;
    version_bits: string | null;
  };
  expected: { header_hex: string; header_hash?: string; block_hash?: string };
}
const cases = readFixtureJson<Case[]>('bitcoin/stratum-sessions.json');
const bitaxe = cases.find((c) => c.id === 'public-pool-bitaxe-testnet3-2442185')!;
const sp = bitaxe.submit_params;
const submit = JSON.stringify([sp.worker, sp.job_id, sp.extranonce2, sp.ntime, sp.nonce, sp.version_bits]);
const base = [
  'share',
  'check',
  '--notify',
  JSON.stringify(bitaxe.notify_params),
  '--extranonce1',
  bitaxe.extranonce1,
  '--extranonce2-size',
  '4',
  '--submit',
  submit,
  '--version-mask',
  '1fffe000',
];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('farmhand share check', () => {
  it('--json explains the recorded Bitaxe share: header, hash, difficulty, accepted at 512', async () => {
    const r = await cli([...base, '--difficulty', '512', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.header).toBe(bitaxe.expected.header_hex);
    expect(out.hash).toBe(bitaxe.expected.header_hash);
    expect(out.difficulty as number).toBeCloseTo(669.868, 2);
    expect(out.verdict).toBe('accepted');
    expect(out.coinbase).toBe(
      `${bitaxe.notify_params[2]}${bitaxe.extranonce1}${sp.extranonce2}${bitaxe.notify_params[3]}`,
    );
  });

  it('says why a share is rejected (low difficulty at 1024), human output, exit 1', async () => {
    const r = await cli([...base, '--difficulty', '1024']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verdict\s+rejected: low-difficulty \(code 23\)/);
    expect(r.stdout).toContain(bitaxe.expected.header_hash);
  });

  it('reports a found block for the slush testnet share', () => {
    const slush = cases.find((c) => c.id === 'slush-braiins-testnet3-25096')!;
    const s = slush.submit_params;
    const r = explainShare({
      notify: JSON.stringify(slush.notify_params),
      submit: JSON.stringify([s.worker, s.job_id, s.extranonce2, s.ntime, s.nonce]),
      extranonce1: slush.extranonce1,
      extranonce2Size: 4,
      difficulty: 1,
    });
    expect(r.ok && r.value.verdict).toBe('block');
    expect(r.ok && r.value.hash).toBe(slush.expected.block_hash);
    expect(r.ok && r.value.header).toBe(slush.expected.header_hex);
  });

  it('malformed input: a clear error and exit 2', async () => {
    const bad = await cli([
      'share',
      'check',
      '--notify',
      '[1,2',
      '--extranonce1',
      '00',
      '--extranonce2-size',
      '4',
      '--submit',
      '[]',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BAD_NOTIFY: --notify is not valid JSON/);
    const wrongShape = await cli([...base.slice(0, 3), '["1"]', ...base.slice(4), '--json']);
    expect(wrongShape.code).toBe(2);
    expect((JSON.parse(wrongShape.stdout) as { error: { code: string } }).error.code).toBe('BAD_NOTIFY');
    const badSubmit = explainShare({
      notify: JSON.stringify(bitaxe.notify_params),
      submit: '["w","1","zz","64b3f3ec","ed460d91"]',
      extranonce1: bitaxe.extranonce1,
      extranonce2Size: 4,
      difficulty: 1,
    });
    expect(!badSubmit.ok && badSubmit.error.code).toBe('BAD_SUBMIT');
  });
});
