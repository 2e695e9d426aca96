import { ByteReader, concatBytes, hexToBytes, varint } from './bytes.js';
import { sha256d } from './hash.js';
import { type BlockHeader, parseHeader } from './header.js';
import { merkleRoot } from './merkle.js';
import { WITNESS_RESERVED_VALUE } from './coinbase.js';
import { type Transaction, hasWitness, parseTx, readTx, serializeTx, txid, wtxid } from './tx.js';

export interface Block {
  header: BlockHeader;
  headerBytes: Uint8Array;
  transactions: Transaction[];
}

/**
 * Serializes a block for submitblock: header, then the coinbase (given without witness, as Stratum built
 * it) and the template's transactions as the node sent them. With segwit the coinbase gets its witness
 * reserved value, as BIP141 requires when the block commits to witnesses.
 */
export function assembleBlock(
  header: Uint8Array,
  strippedCoinbase: Uint8Array,
  transactions: readonly (Uint8Array | string)[],
  segwit: boolean,
): Uint8Array {
  const coinbase = segwit ? withCoinbaseWitness(strippedCoinbase) : strippedCoinbase;
  const txs = transactions.map((t) => (typeof t === 'string' ? hexToBytes(t) : t));
  return concatBytes(header, varint(1 + txs.length), coinbase, ...txs);
}

function withCoinbaseWitness(stripped: Uint8Array): Uint8Array {
  const tx = parseTx(stripped);
  tx.inputs[0]!.witness = [WITNESS_RESERVED_VALUE];
  return serializeTx(tx, true);
}

/** Parses a serialized block. Throws RangeError on truncated or malformed data. */
export function parseBlock(bytes: Uint8Array): Block {
  const r = new ByteReader(bytes);
  const headerBytes = r.take(80);
  const count = r.varint();
  if (count > bytes.length) throw new RangeError(`block claims ${count} transactions`);
  const transactions: Transaction[] = [];
  for (let i = 0; i < count; i++) transactions.push(readTx(r));
  if (r.remaining !== 0) throw new RangeError(`${r.remaining} bytes after the last transaction`);
  return { header: parseHeader(headerBytes), headerBytes, transactions };
}

export function blockMerkleRoot(block: Block): Uint8Array {
  return merkleRoot(block.transactions.map(txid));
}

/** The witness commitment a block's transactions require (null for a block without witness data). */
export function blockWitnessCommitment(block: Block): Uint8Array | null {
  if (!block.transactions.some(hasWitness)) return null;
  const coinbase = block.transactions[0];
  const reserved = coinbase?.inputs[0]?.witness[0] ?? WITNESS_RESERVED_VALUE;
  const wtxids = [new Uint8Array(32), ...block.transactions.slice(1).map(wtxid)];
  return sha256d(concatBytes(merkleRoot(wtxids), reserved));
}
