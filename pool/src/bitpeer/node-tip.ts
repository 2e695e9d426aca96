// The start tip from a node: its best block's header fields, so an operator need not copy them by hand.
import { fail, ok, type Result } from '@farmhand/core';
import { isHex } from '@farmhand/core/bitcoin';
import type { ChainTip } from '@farmhand/core/p2p';
import { BitcoindClient } from '../bitcoind/index.js';

interface HeaderInfo {
  hash: string;
  height: number;
  bits: string;
  time: number;
}

/** getbestblockhash + getblockheader; `tries` attempts, `waitMs` apart. */
export async function tipFromNode(
  url: string,
  tries: number,
  waitMs: number,
): Promise<Result<ChainTip, 'NODE_TIP'>> {
  const node = new BitcoindClient({ url, name: 'tip-node', timeoutMs: 5000 });
  let why = '';
  try {
    for (let i = 0; i < tries; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, waitMs));
      const best = await node.getBestBlockHash();
      if (!best.ok) {
        why = best.error.message;
        continue;
      }
      const h = await node.call<HeaderInfo>('getblockheader', [best.value, true]);
      if (!h.ok) {
        why = h.error.message;
        continue;
      }
      const v = h.value;
      if (!isHex(v.hash, 32) || !Number.isSafeInteger(v.height) || !/^[0-9a-f]{8}$/i.test(v.bits))
        return fail('NODE_TIP', `getblockheader from ${node.name} lacks hash, height or bits`);
      return ok({ hash: v.hash, height: v.height, bits: Number.parseInt(v.bits, 16) >>> 0, time: v.time });
    }
    return fail('NODE_TIP', `no start tip from the node after ${tries} tries: ${why}`);
  } finally {
    await node.close();
  }
}
