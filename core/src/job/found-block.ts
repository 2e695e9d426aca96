import {
  assembleBlock,
  assembleCoinbase,
  bitsToTarget,
  bytesToHex,
  hashMeetsTarget,
  hexToBytes,
  reversed,
  rootFromBranch,
  serializeHeader,
  sha256d,
  targetToBytes,
  witnessCommitmentFor,
} from '../bitcoin/index.js';
import { type Result, fail, ok } from '../result.js';
import { parseHex32 } from '../stratum/index.js';
import type { JobRecord } from './job-builder.js';

export interface FoundBlock {
  /** The serialized block, ready for submitblock. */
  block: Uint8Array;
  header: Uint8Array;
  /** The stripped coinbase (its hash is the txid). */
  coinbase: Uint8Array;
  /** Block hash, display hex. */
  hash: string;
  /** True when the header hash meets the target of the job's nBits. */
  meetsTarget: boolean;
}

export type FoundBlockError = 'FOUND_BAD_FIELD';

/** A 32-bit header field as Stratum sends it (8 hex digits, big-endian) or as a number. */
export type Word32 = number | string;

/**
 * Rebuilds the block a winning share solved: the coinbase with the share's full extranonce
 * (extranonce1 ‖ extranonce2), the merkle root up the job's branch, the header with the share's
 * ntime/nonce/version, then the template's transactions. Segwit blocks get the coinbase witness.
 */
export function assembleFoundBlock(
  record: JobRecord,
  extranonce: Uint8Array | string,
  ntime: Word32,
  nonce: Word32,
  version: Word32,
): Result<FoundBlock, FoundBlockError> {
  const en = typeof extranonce === 'string' ? safeHex(extranonce) : extranonce;
  if (!en || en.length !== record.coinbase.extranonceSize) {
    return fail(
      'FOUND_BAD_FIELD',
      `extranonce must be ${record.coinbase.extranonceSize} bytes (extranonce1 ‖ extranonce2) for job ${record.job.jobId}`,
    );
  }
  const words = { ntime: word(ntime), nonce: word(nonce), version: word(version) };
  for (const [name, v] of Object.entries(words)) {
    if (v === undefined) return fail('FOUND_BAD_FIELD', `${name} is not a 32-bit value (8 hex digits)`);
  }
  const t = record.template;
  const coinbase = assembleCoinbase(record.coinbase, en);
  const branch = record.job.merkleBranch.map(hexToBytes);
  const bits = Number.parseInt(t.bits, 16) >>> 0;
  const header = serializeHeader({
    version: words.version!,
    prevHash: reversed(hexToBytes(t.previousblockhash)),
    merkleRoot: rootFromBranch(sha256d(coinbase), branch),
    time: words.ntime!,
    bits,
    nonce: words.nonce!,
  });
  const hash = sha256d(header);
  const segwit = witnessCommitmentFor(t) !== null;
  const block = assembleBlock(
    header,
    coinbase,
    t.transactions.map((tx) => tx.data),
    segwit,
  );
  return ok({
    block,
    header,
    coinbase,
    hash: bytesToHex(reversed(hash)),
    meetsTarget: hashMeetsTarget(hash, targetToBytes(bitsToTarget(bits))),
  });
}

function word(v: Word32): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : undefined;
  return parseHex32(v);
}

function safeHex(s: string): Uint8Array | null {
  try {
    return hexToBytes(s);
  } catch {
    return null;
  }
}
