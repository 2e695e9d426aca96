// BIP152 compact blocks: short transaction ids, building a cmpctblock from a block, and rebuilding the
// block from a cmpctblock plus the transactions the receiver already holds.
import { fail, ok, type Result } from '../result.js';
import { concatBytes, u64le, varint } from '../bitcoin/bytes.js';
import { sha256 } from '../bitcoin/hash.js';
import { merkleRoot } from '../bitcoin/merkle.js';
import { bytesEqual } from '../bitcoin/bytes.js';
import { parseHeader } from '../bitcoin/header.js';
import { serializeTx, txid, wtxid, type Transaction } from '../bitcoin/tx.js';
import type { Block } from '../bitcoin/block.js';
import { siphash24 } from './siphash.js';
import type { BlockTxnMessage, CmpctBlockMessage, GetBlockTxnMessage } from './messages.js';

const SHORT_ID_MASK = (1n << 48n) - 1n;

export interface ShortIdKey {
  k0: bigint;
  k1: bigint;
}

/** k0/k1: the first two little-endian u64s of single-SHA256(header ‖ nonce LE). */
export function shortIdKey(header: Uint8Array, nonce: bigint): ShortIdKey {
  const h = sha256(concatBytes(header, u64le(nonce)));
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return { k0: v.getBigUint64(0, true), k1: v.getBigUint64(8, true) };
}

/** The 6-byte short id of a transaction hash (internal order): SipHash-2-4 with the top 2 bytes dropped. */
export function shortId(key: ShortIdKey, hash: Uint8Array): number {
  return Number(siphash24(key.k0, key.k1, hash) & SHORT_ID_MASK);
}

/** Compact block version 2 uses wtxids (segwit), version 1 txids. */
export function compactHash(tx: Transaction, version: 1 | 2): Uint8Array {
  return version === 2 ? wtxid(tx) : txid(tx);
}

/** A cmpctblock for a block: the coinbase prefilled (the receiver cannot have it), short ids for the rest. */
export function buildCompactBlock(block: Block, nonce: bigint, version: 1 | 2 = 2): CmpctBlockMessage {
  const key = shortIdKey(block.headerBytes, nonce);
  const [coinbase, ...rest] = block.transactions;
  if (!coinbase) throw new RangeError('a block without transactions');
  return {
    type: 'cmpctblock',
    header: block.headerBytes,
    nonce,
    shortIds: rest.map((tx) => shortId(key, compactHash(tx, version))),
    prefilled: [{ index: 0, tx: coinbase }],
  };
}

/** A transaction the receiver already holds, with its compact hash (wtxid for version 2) computed once. */
export interface KnownTx {
  hash: Uint8Array;
  tx: Transaction;
}

export interface PartialBlock {
  header: Uint8Array;
  /** One slot per block transaction; null where still missing. */
  slots: (Transaction | null)[];
  /** Indexes of the null slots, ascending: what a getblocktxn asks for. */
  missing: number[];
}

export type CompactErrorCode = 'CMPCT_BAD' | 'CMPCT_MISMATCH';

/**
 * Places prefilled transactions and matches short ids against the known transactions. Two known
 * transactions with the same short id leave that slot missing (to be asked for), as BIP152 allows.
 */
export function startReconstruction(
  msg: CmpctBlockMessage,
  known: Iterable<KnownTx>,
): Result<PartialBlock, CompactErrorCode> {
  const total = msg.shortIds.length + msg.prefilled.length;
  if (total === 0) return fail('CMPCT_BAD', 'a compact block with no transactions');
  const slots: (Transaction | null)[] = new Array<Transaction | null>(total).fill(null);
  const taken = new Array<boolean>(total).fill(false);
  for (const p of msg.prefilled) {
    if (p.index >= total) return fail('CMPCT_BAD', `prefilled index ${p.index} beyond ${total} transactions`);
    slots[p.index] = p.tx;
    taken[p.index] = true;
  }
  // Short ids fill the remaining positions in order.
  const positionOf = new Map<number, number>();
  let pos = 0;
  for (const id of msg.shortIds) {
    while (taken[pos]) pos++;
    if (positionOf.has(id)) return fail('CMPCT_BAD', 'duplicate short ids in one block');
    positionOf.set(id, pos++);
  }
  const key = shortIdKey(msg.header, msg.nonce);
  const collided = new Set<number>();
  for (const k of known) {
    const at = positionOf.get(shortId(key, k.hash));
    if (at === undefined) continue;
    if (slots[at] !== null) collided.add(at);
    else slots[at] = k.tx;
  }
  for (const at of collided) slots[at] = null;
  const missing: number[] = [];
  slots.forEach((s, i) => {
    if (s === null) missing.push(i);
  });
  return ok({ header: msg.header, slots, missing });
}

/** Fills the missing slots (in order) and checks the result against the header's merkle root. */
export function completeReconstruction(
  partial: PartialBlock,
  txs: readonly Transaction[],
): Result<Block, CompactErrorCode> {
  if (txs.length !== partial.missing.length)
    return fail('CMPCT_BAD', `${txs.length} transactions for ${partial.missing.length} missing slots`);
  const all = partial.slots.slice();
  partial.missing.forEach((at, i) => (all[at] = txs[i]!));
  const transactions = all as Transaction[];
  const header = parseHeader(partial.header);
  if (!bytesEqual(merkleRoot(transactions.map(txid)), header.merkleRoot))
    return fail('CMPCT_MISMATCH', 'rebuilt transactions do not match the merkle root (a short id collision)');
  return ok({ header, headerBytes: partial.header, transactions });
}

/** The transactions a getblocktxn asks for, from a block we sent. */
export function answerGetBlockTxn(
  block: Block,
  req: GetBlockTxnMessage,
): Result<BlockTxnMessage, 'CMPCT_BAD'> {
  const txs: Transaction[] = [];
  for (const i of req.indexes) {
    const tx = block.transactions[i];
    if (!tx)
      return fail('CMPCT_BAD', `index ${i} beyond the block's ${block.transactions.length} transactions`);
    txs.push(tx);
  }
  return ok({ type: 'blocktxn', blockHash: req.blockHash, txs });
}

/** Serialized block bytes. */
export function serializeBlock(block: Block): Uint8Array {
  return concatBytes(
    block.headerBytes,
    varint(block.transactions.length),
    ...block.transactions.map((t) => serializeTx(t)),
  );
}
