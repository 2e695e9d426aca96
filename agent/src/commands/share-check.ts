import type { Command } from 'commander';
import { type Result, fail, ok } from '@farmhand/core';
import {
  bitsToTarget,
  bytesToHex,
  concatBytes,
  hexToBytes,
  isHex,
  reversed,
  targetToDifficulty,
} from '@farmhand/core/bitcoin';
import { ShareValidator, formatDifficulty, prepareJob } from '@farmhand/core/share';
import { parseNotifyParams, toClientRequest } from '@farmhand/core/stratum';

// `farmhand share check`: answers "why was this share rejected?" from the notify and submit a miner saw.

export interface ShareCheckInput {
  notify: string;
  submit: string;
  extranonce1: string;
  extranonce2Size: number;
  versionMask?: string;
  difficulty: number;
}

export interface ShareExplanation {
  coinbase: string;
  merkleRoot: string;
  header: string;
  hash: string;
  difficulty: number;
  targetDifficulty: number;
  networkDifficulty: number;
  verdict: 'accepted' | 'block' | 'rejected';
  reason?: string;
  code?: number;
  message?: string;
}

type CheckError = 'BAD_NOTIFY' | 'BAD_SUBMIT' | 'BAD_EXTRANONCE1' | 'BAD_VERSION_MASK' | 'BAD_DIFFICULTY';

function parseJsonArray(text: string, what: string, code: CheckError): Result<unknown[], CheckError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(code, `${what} is not valid JSON: ${(e as Error).message}`);
  }
  return Array.isArray(value) ? ok(value) : fail(code, `${what} must be a JSON array of params`);
}

export function explainShare(input: ShareCheckInput): Result<ShareExplanation, CheckError> {
  if (!isHex(input.extranonce1) || input.extranonce1.length === 0)
    return fail('BAD_EXTRANONCE1', '--extranonce1 must be hex');
  if (!Number.isInteger(input.extranonce2Size) || input.extranonce2Size < 1 || input.extranonce2Size > 32) {
    return fail('BAD_EXTRANONCE1', '--extranonce2-size must be an integer from 1 to 32');
  }
  if (!(input.difficulty > 0)) return fail('BAD_DIFFICULTY', '--difficulty must be a positive number');
  const mask =
    input.versionMask === undefined
      ? 0
      : /^[0-9a-fA-F]{1,8}$/.test(input.versionMask)
        ? Number.parseInt(input.versionMask, 16)
        : NaN;
  if (Number.isNaN(mask)) return fail('BAD_VERSION_MASK', '--version-mask must be up to 8 hex digits');

  const notifyParams = parseJsonArray(input.notify, '--notify', 'BAD_NOTIFY');
  if (!notifyParams.ok) return notifyParams;
  const job = parseNotifyParams(notifyParams.value);
  if (!job.ok) return fail('BAD_NOTIFY', `--notify: ${job.error.message}`);
  const prepared = prepareJob(job.value);
  if (!prepared.ok) return fail('BAD_NOTIFY', `--notify: ${prepared.error.message}`);

  const submitParams = parseJsonArray(input.submit, '--submit', 'BAD_SUBMIT');
  if (!submitParams.ok) return submitParams;
  const submit = toClientRequest({
    kind: 'request',
    id: 1,
    method: 'mining.submit',
    params: submitParams.value,
  });
  if (!submit.ok) return fail('BAD_SUBMIT', `--submit: ${submit.error.message}`);
  if (submit.value.kind !== 'mining.submit') return fail('BAD_SUBMIT', '--submit is not a mining.submit');
  const s = submit.value;

  const en1 = input.extranonce1.toLowerCase();
  const validator = new ShareValidator();
  validator.addJob({ ...prepared.value, jobId: s.jobId });
  const session = {
    extranonce1: hexToBytes(en1),
    extranonce1Hex: en1,
    extranonce2Size: input.extranonce2Size,
    versionMask: mask,
    difficulty: input.difficulty,
  };
  // The window's "now" is the share's own time: a share from last year is judged as it was then.
  const now = Number.parseInt(s.ntime, 16);
  const verdict = validator.check(
    session,
    {
      jobId: s.jobId,
      extranonce2: s.extranonce2,
      ntime: s.ntime,
      nonce: s.nonce,
      ...(s.versionBits ? { versionBits: s.versionBits } : {}),
    },
    now,
  );

  const coinbase = isHex(s.extranonce2, input.extranonce2Size)
    ? bytesToHex(
        concatBytes(prepared.value.coinb1, hexToBytes(en1), hexToBytes(s.extranonce2), prepared.value.coinb2),
      )
    : '';
  const networkDifficulty = targetToDifficulty(bitsToTarget(prepared.value.bits));
  const base = { coinbase, targetDifficulty: input.difficulty, networkDifficulty };
  if (verdict.kind === 'accepted') {
    return ok({
      ...base,
      merkleRoot: bytesToHex(reversed(verdict.header.subarray(36, 68))),
      header: bytesToHex(verdict.header),
      hash: bytesToHex(reversed(verdict.hash)),
      difficulty: verdict.shareDifficulty,
      verdict: verdict.block ? 'block' : 'accepted',
    });
  }
  return ok({
    ...base,
    merkleRoot: '',
    header: '',
    hash: verdict.hash ? bytesToHex(reversed(verdict.hash)) : '',
    difficulty: verdict.shareDifficulty ?? 0,
    verdict: 'rejected',
    reason: verdict.reason,
    code: verdict.code,
    message: verdict.message,
  });
}

function printHuman(e: ShareExplanation): void {
  const lines: [string, string][] = [
    ['coinbase', e.coinbase || '(not built: bad extranonce2)'],
    ['merkle root', e.merkleRoot || '-'],
    ['header', e.header || '-'],
    ['hash', e.hash || '-'],
    ['difficulty', e.difficulty ? formatDifficulty(e.difficulty) : '-'],
    ['target', `${formatDifficulty(e.targetDifficulty)} (network ${formatDifficulty(e.networkDifficulty)})`],
    [
      'verdict',
      e.verdict === 'rejected'
        ? `rejected: ${e.reason} (code ${e.code}) — ${e.message}`
        : e.verdict === 'block'
          ? 'accepted — BLOCK FOUND (meets the network target)'
          : 'accepted',
    ],
  ];
  for (const [k, v] of lines) console.log(`${k.padEnd(12)} ${v}`);
}

export function registerShareCheck(program: Command): void {
  const share = program.command('share').description('inspect shares');
  share
    .command('check')
    .description('explain one share: coinbase, merkle root, header, hash, difficulty and verdict')
    .requiredOption('--notify <json>', 'the mining.notify params as a JSON array')
    .requiredOption('--extranonce1 <hex>', "the session's extranonce1")
    .requiredOption('--extranonce2-size <n>', 'extranonce2 size in bytes', (v) => Number(v))
    .requiredOption('--submit <json>', 'the mining.submit params as a JSON array')
    .option('--version-mask <hex>', 'the negotiated BIP310 version-rolling mask')
    .option('--difficulty <d>', 'the share difficulty the miner was given', (v) => Number(v), 1)
    .option('--json', 'print one JSON object')
    .action(
      (opts: {
        notify: string;
        extranonce1: string;
        extranonce2Size: number;
        submit: string;
        versionMask?: string;
        difficulty: number;
        json?: boolean;
      }) => {
        const r = explainShare({ ...opts });
        if (!r.ok) {
          if (opts.json) console.log(JSON.stringify({ error: r.error }));
          else console.error(`error ${r.error.code}: ${r.error.message}`);
          process.exitCode = 2;
          return;
        }
        if (opts.json) console.log(JSON.stringify(r.value));
        else printHuman(r.value);
        if (r.value.verdict === 'rejected') process.exitCode = 1;
      },
    );
}
