// The AuxPoW proof an aux chain accepts (submitauxblock / getauxblock): the parent coinbase, its merkle
// branch in the parent block, the aux chain's branch in the merged-mining tree, and the parent header.
import { fail, ok, type Result } from '../result.js';
import { ByteReader, bytesEqual, concatBytes, u32le, varint } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';
import { parseHeader } from '../bitcoin/header.js';
import { hashToBigInt } from '../bitcoin/target.js';
import { readTx, serializeTx } from '../bitcoin/tx.js';
import { MAX_AUX_TREE_HEIGHT, MM_MAGIC, auxSlot, rootFromIndexedBranch } from './aux-tree.js';

export interface AuxPow {
  /** The parent coinbase, serialized without witness (its hash is the txid). */
  coinbase: Uint8Array;
  /** The parent block hash, internal order (a legacy field; checkers ignore it). */
  parentHash: Uint8Array;
  coinbaseBranch: Uint8Array[];
  /** Always 0: the coinbase is the parent block's first transaction. */
  coinbaseIndex: number;
  chainBranch: Uint8Array[];
  chainIndex: number;
  parentHeader: Uint8Array;
}

export function serializeAuxPow(a: AuxPow): Uint8Array {
  return concatBytes(
    a.coinbase,
    a.parentHash,
    varint(a.coinbaseBranch.length),
    ...a.coinbaseBranch,
    u32le(a.coinbaseIndex),
    varint(a.chainBranch.length),
    ...a.chainBranch,
    u32le(a.chainIndex),
    a.parentHeader,
  );
}

export function parseAuxPow(bytes: Uint8Array): Result<AuxPow, 'AUXPOW_BAD'> {
  try {
    const r = new ByteReader(bytes);
    const start = r.offset;
    const tx = readTx(r);
    // Keep the coinbase bytes as sent; re-serializing a parsed witness tx would change them.
    const coinbase = new Uint8Array(bytes.subarray(start, r.offset));
    if (tx.inputs.some((i) => i.witness.length))
      return fail('AUXPOW_BAD', 'the parent coinbase carries witness data');
    const parentHash = new Uint8Array(r.take(32));
    const list = (): Uint8Array[] => {
      const n = r.varint();
      if (n > 64) throw new RangeError(`a merkle branch of ${n} hashes`);
      return Array.from({ length: n }, () => new Uint8Array(r.take(32)));
    };
    const coinbaseBranch = list();
    const coinbaseIndex = r.u32();
    const chainBranch = list();
    const chainIndex = r.u32();
    const parentHeader = new Uint8Array(r.take(80));
    if (r.remaining !== 0) return fail('AUXPOW_BAD', `${r.remaining} bytes after the parent header`);
    return ok({ coinbase, parentHash, coinbaseBranch, coinbaseIndex, chainBranch, chainIndex, parentHeader });
  } catch (e) {
    return fail('AUXPOW_BAD', `the AuxPoW does not parse: ${(e as Error).message}`);
  }
}

export type AuxPowCheckCode =
  'AUXPOW_BAD' | 'AUXPOW_NOT_COMMITTED' | 'AUXPOW_BAD_BRANCH' | 'AUXPOW_HIGH_HASH';

/**
 * The checks an aux chain makes (Namecoin's CAuxPow::check plus the proof of work): the coinbase is the
 * parent block's first transaction, the aux hash folds up the chain branch to the root committed after
 * the magic in the coinbase scriptSig, the tree size and slot match, and the parent header hash meets
 * the aux target.
 */
export function checkAuxPow(
  a: AuxPow,
  auxHash: Uint8Array,
  chainId: number,
  auxTarget: bigint,
): Result<true, AuxPowCheckCode> {
  if (a.coinbaseIndex !== 0) return fail('AUXPOW_BAD', 'the AuxPoW transaction is not the parent coinbase');
  if (a.chainBranch.length > MAX_AUX_TREE_HEIGHT) return fail('AUXPOW_BAD', 'chain merkle branch too long');
  const header = parseHeader(a.parentHeader);
  const coinbaseTxid = sha256d(a.coinbase);
  if (!bytesEqual(rootFromIndexedBranch(coinbaseTxid, a.coinbaseBranch, 0), header.merkleRoot))
    return fail('AUXPOW_BAD_BRANCH', 'the coinbase branch does not lead to the parent merkle root');
  const root = Uint8Array.from(rootFromIndexedBranch(auxHash, a.chainBranch, a.chainIndex)).reverse();
  const script = readTx(new ByteReader(a.coinbase)).inputs[0]?.scriptSig;
  if (!script) return fail('AUXPOW_BAD', 'the parent coinbase has no input');
  const at = indexOf(script, root);
  if (at < 0) return fail('AUXPOW_NOT_COMMITTED', 'the chain merkle root is not in the parent coinbase');
  const magicAt = indexOf(script, MM_MAGIC);
  if (magicAt >= 0) {
    if (indexOf(script, MM_MAGIC, magicAt + 1) >= 0)
      return fail('AUXPOW_NOT_COMMITTED', 'more than one merged-mining header in the coinbase');
    if (magicAt + 4 !== at)
      return fail('AUXPOW_NOT_COMMITTED', 'the merged-mining header is not right before the root');
  } else if (at > 20) {
    return fail('AUXPOW_NOT_COMMITTED', 'without a header the root must start in the first 20 bytes');
  }
  if (script.length - (at + 32) < 8)
    return fail('AUXPOW_NOT_COMMITTED', 'tree size and nonce missing after the root');
  const view = new DataView(script.buffer, script.byteOffset, script.byteLength);
  const size = view.getUint32(at + 32, true);
  const nonce = view.getUint32(at + 36, true);
  if (size !== 2 ** a.chainBranch.length)
    return fail('AUXPOW_BAD_BRANCH', `tree size ${size} does not match the branch`);
  if (a.chainIndex !== auxSlot(nonce, chainId, a.chainBranch.length))
    return fail(
      'AUXPOW_BAD_BRANCH',
      `slot ${a.chainIndex} is not chain ${chainId}'s slot for nonce ${nonce}`,
    );
  if (hashToBigInt(sha256d(a.parentHeader)) > auxTarget)
    return fail('AUXPOW_HIGH_HASH', 'the parent header hash does not meet the aux target');
  return ok(true);
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** A stripped coinbase as the AuxPoW carries it. */
export function strippedCoinbase(coinbase: Uint8Array): Uint8Array {
  return serializeTx(readTx(new ByteReader(coinbase)), false);
}
