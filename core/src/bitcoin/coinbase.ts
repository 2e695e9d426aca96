import { bytesToHex, concatBytes, hexToBytes, reversed, u32le, u64le, varint } from './bytes.js';
import { sha256d } from './hash.js';
import { merkleRoot } from './merkle.js';
import { bip34HeightPush, pushData } from './script.js';
import { type BlockTemplate, templateIsSegwit } from './template.js';
import { type Result, fail, ok } from '../result.js';

/** The BIP141 witness reserved value the pool puts in the coinbase witness. */
export const WITNESS_RESERVED_VALUE = new Uint8Array(32);
const WITNESS_COMMITMENT_HEADER = hexToBytes('6a24aa21a9ed');
const MAX_SCRIPTSIG = 100;

export interface CoinbaseOutput {
  value: bigint;
  script: Uint8Array;
}

export interface CoinbaseOptions {
  /** The output script that receives the block reward (see addressToScript). */
  payoutScript: Uint8Array;
  /** Bytes reserved for extranonce1 + extranonce2. */
  extranonceSize: number;
  /** Coinbase message, e.g. "/farmhand/". */
  tag?: string;
  /** Outputs placed after the payout (merged-mining commitments, ...), value taken from the reward. */
  extraOutputs?: CoinbaseOutput[];
  version?: number;
  sequence?: number;
  locktime?: number;
}

/** A stripped coinbase split around its extranonce slot, as Stratum sends it. */
export interface CoinbaseParts {
  coinb1: Uint8Array;
  coinb2: Uint8Array;
  extranonceSize: number;
}

export type CoinbaseError = 'COINBASE_TOO_LONG' | 'COINBASE_BAD_VALUE' | 'COINBASE_BAD_EXTRANONCE';

/**
 * Builds the coinbase transaction for a template: BIP34 height, the template's coinbaseaux flags, a pushed
 * extranonce slot, the tag; payout, extra outputs and the witness commitment. Serialized without witness
 * (the form whose hash is the txid), split at the extranonce slot.
 */
export function buildCoinbase(
  template: BlockTemplate,
  opts: CoinbaseOptions,
): Result<CoinbaseParts, CoinbaseError> {
  if (!Number.isInteger(opts.extranonceSize) || opts.extranonceSize < 1 || opts.extranonceSize > 32) {
    return fail('COINBASE_BAD_EXTRANONCE', `extranonce size ${opts.extranonceSize} must be 1..32 bytes`);
  }
  const flags = template.coinbaseaux?.flags ? hexToBytes(template.coinbaseaux.flags) : new Uint8Array(0);
  const head = concatBytes(bip34HeightPush(template.height), flags.length ? pushData(flags) : flags);
  // The slot is pushed as one data item so the scriptSig stays a well-formed script.
  const slotOp = Uint8Array.of(opts.extranonceSize);
  const tail = opts.tag ? pushData(new TextEncoder().encode(opts.tag)) : new Uint8Array(0);
  const scriptSigLength = head.length + slotOp.length + opts.extranonceSize + tail.length;
  if (scriptSigLength > MAX_SCRIPTSIG) {
    return fail(
      'COINBASE_TOO_LONG',
      `coinbase scriptSig would be ${scriptSigLength} bytes (max ${MAX_SCRIPTSIG}); shorten the tag`,
    );
  }

  const reward = BigInt(template.coinbasevalue);
  const extra = opts.extraOutputs ?? [];
  const extraValue = extra.reduce((sum, o) => sum + o.value, 0n);
  if (extraValue > reward)
    return fail('COINBASE_BAD_VALUE', `extra outputs pay ${extraValue} sat, more than the reward ${reward}`);
  const outputs: CoinbaseOutput[] = [{ value: reward - extraValue, script: opts.payoutScript }, ...extra];
  const commitment = witnessCommitmentFor(template);
  if (commitment) outputs.push({ value: 0n, script: commitment });

  const coinb1 = concatBytes(
    u32le(opts.version ?? 1),
    varint(1),
    new Uint8Array(32),
    u32le(0xffffffff),
    varint(scriptSigLength),
    head,
    slotOp,
  );
  const outputBytes = outputs.flatMap((o) => [u64le(o.value), varint(o.script.length), o.script]);
  const coinb2 = concatBytes(
    tail,
    u32le(opts.sequence ?? 0xffffffff),
    varint(outputs.length),
    ...outputBytes,
    u32le(opts.locktime ?? 0),
  );
  return ok({ coinb1, coinb2, extranonceSize: opts.extranonceSize });
}

/** The stripped coinbase with a filled extranonce slot. */
export function assembleCoinbase(parts: CoinbaseParts, extranonce: Uint8Array): Uint8Array {
  if (extranonce.length !== parts.extranonceSize) {
    throw new RangeError(`extranonce is ${extranonce.length} bytes, the slot holds ${parts.extranonceSize}`);
  }
  return concatBytes(parts.coinb1, extranonce, parts.coinb2);
}

/** The witness commitment output script of a template: the node's own, else computed from its wtxids. */
export function witnessCommitmentFor(template: BlockTemplate): Uint8Array | null {
  if (template.default_witness_commitment) return hexToBytes(template.default_witness_commitment);
  if (!templateIsSegwit(template)) return null;
  const wtxids = template.transactions.map((t) => reversed(hexToBytes(t.hash ?? t.txid)));
  return witnessCommitmentScript(wtxids);
}

/** OP_RETURN aa21a9ed <sha256d(witness merkle root || reserved value)>, with the coinbase wtxid as zero. */
export function witnessCommitmentScript(
  wtxidsAfterCoinbase: Uint8Array[],
  reserved = WITNESS_RESERVED_VALUE,
): Uint8Array {
  const root = merkleRoot([new Uint8Array(32), ...wtxidsAfterCoinbase]);
  return concatBytes(WITNESS_COMMITMENT_HEADER, sha256d(concatBytes(root, reserved)));
}

export function coinbaseHex(parts: CoinbaseParts): { coinb1: string; coinb2: string } {
  return { coinb1: bytesToHex(parts.coinb1), coinb2: bytesToHex(parts.coinb2) };
}
