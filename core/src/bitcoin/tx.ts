import { ByteReader, concatBytes, u32le, u64le, varint } from './bytes.js';
import { sha256d } from './hash.js';

export interface TxInput {
  prevTxid: Uint8Array; // internal order
  prevIndex: number;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOutput {
  value: bigint;
  script: Uint8Array;
}

export interface Transaction {
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
  locktime: number;
}

export function hasWitness(tx: Transaction): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

/** Serializes with witness data when any input has some (BIP144), else the legacy form. */
export function serializeTx(tx: Transaction, withWitness = hasWitness(tx)): Uint8Array {
  const parts: Uint8Array[] = [u32le(tx.version)];
  if (withWitness) parts.push(Uint8Array.of(0x00, 0x01));
  parts.push(varint(tx.inputs.length));
  for (const input of tx.inputs) {
    parts.push(
      input.prevTxid,
      u32le(input.prevIndex),
      varint(input.scriptSig.length),
      input.scriptSig,
      u32le(input.sequence),
    );
  }
  parts.push(varint(tx.outputs.length));
  for (const output of tx.outputs)
    parts.push(u64le(output.value), varint(output.script.length), output.script);
  if (withWitness) {
    for (const input of tx.inputs) {
      parts.push(varint(input.witness.length));
      for (const item of input.witness) parts.push(varint(item.length), item);
    }
  }
  parts.push(u32le(tx.locktime));
  return concatBytes(...parts);
}

/** Reads one transaction (either form) from a reader positioned at its start. Throws RangeError when truncated. */
export function readTx(r: ByteReader): Transaction {
  const version = r.u32();
  let inputCount = r.varint();
  let segwit = false;
  if (inputCount === 0) {
    const flag = r.u8();
    if (flag !== 0x01) throw new RangeError(`bad segwit flag ${flag}`);
    segwit = true;
    inputCount = r.varint();
  }
  const inputs: TxInput[] = [];
  for (let i = 0; i < inputCount; i++) {
    const prevTxid = r.take(32);
    const prevIndex = r.u32();
    const scriptSig = r.take(r.varint());
    const sequence = r.u32();
    inputs.push({ prevTxid, prevIndex, scriptSig, sequence, witness: [] });
  }
  const outputs: TxOutput[] = [];
  const outputCount = r.varint();
  for (let i = 0; i < outputCount; i++) {
    const value = r.u64();
    outputs.push({ value, script: r.take(r.varint()) });
  }
  if (segwit) {
    for (const input of inputs) {
      const items = r.varint();
      for (let i = 0; i < items; i++) input.witness.push(r.take(r.varint()));
    }
  }
  const locktime = r.u32();
  return { version, inputs, outputs, locktime };
}

export function parseTx(bytes: Uint8Array): Transaction {
  const r = new ByteReader(bytes);
  const tx = readTx(r);
  if (r.remaining !== 0) throw new RangeError(`${r.remaining} bytes after the transaction`);
  return tx;
}

/** txid in internal order: the hash of the form without witness data. */
export function txid(tx: Transaction): Uint8Array {
  return sha256d(serializeTx(tx, false));
}

/** wtxid in internal order (BIP141); equals txid for a transaction without witness. */
export function wtxid(tx: Transaction): Uint8Array {
  return sha256d(serializeTx(tx));
}
