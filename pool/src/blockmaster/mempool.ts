// A mirror of the local node's mempool, keyed by wtxid: what a thin block's short ids are matched against.
import type { Logger } from 'pino';
import { bytesToHex, hexToBytes, parseTx, wtxid, type Transaction } from '@farmhand/core/bitcoin';
import type { KnownTx } from '@farmhand/core/p2p';
import type { BitcoindClient } from '../bitcoind/index.js';

export class Mempool {
  /** txid (display hex, as getrawmempool lists it) → the transaction and its wtxid. */
  readonly #byTxid = new Map<string, KnownTx>();

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.#byTxid.size;
  }

  entries(): IterableIterator<KnownTx> {
    return this.#byTxid.values();
  }

  add(txidHex: string, tx: Transaction): void {
    this.#byTxid.set(txidHex, { hash: wtxid(tx), tx });
  }

  /** getrawmempool, then getrawtransaction for what is new; what left the node's mempool is forgotten. */
  async refresh(node: BitcoindClient): Promise<void> {
    const list = await node.call<string[]>('getrawmempool');
    if (!list.ok) {
      this.log.warn(`mempool: ${list.error.message}`);
      return;
    }
    const now = new Set(list.value);
    for (const id of this.#byTxid.keys()) if (!now.has(id)) this.#byTxid.delete(id);
    for (const id of list.value) {
      if (this.#byTxid.has(id)) continue;
      const raw = await node.call<string>('getrawtransaction', [id]);
      if (!raw.ok) continue; // mined or evicted in the meantime
      try {
        this.add(id, parseTx(hexToBytes(raw.value)));
      } catch (e) {
        this.log.warn(`mempool: transaction ${id} does not parse: ${(e as Error).message}`);
      }
    }
  }

  /** The transactions of a block leave the mempool once it is relayed. */
  removeBlockTxs(txids: Uint8Array[]): void {
    for (const t of txids) this.#byTxid.delete(bytesToHex(Uint8Array.from(t).reverse()));
  }
}
