import { concatBytes } from './bytes.js';
import { sha256d } from './hash.js';

// All hashes here are in internal byte order (as hashed), not the reversed display order.

export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new RangeError('merkle root of no transactions');
  let level = hashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left; // odd count: the last hash pairs with itself
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return level[0]!;
}

/**
 * The Stratum merkle branch: the siblings on the path of the coinbase (index 0), bottom up, given the
 * other transactions' txids. The coinbase's own hash is not needed, so a job can be sent before it exists.
 */
export function merkleBranch(txidsAfterCoinbase: readonly Uint8Array[]): Uint8Array[] {
  const branch: Uint8Array[] = [];
  // level holds the nodes of the current level except the leftmost (the coinbase path).
  let level = txidsAfterCoinbase.slice();
  while (level.length > 0) {
    branch.push(level[0]!);
    const next: Uint8Array[] = [];
    // Pair nodes 1..n of this level (node 0 pairs with the coinbase path).
    for (let i = 1; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return branch;
}

/** Folds the coinbase hash up a Stratum branch to the merkle root. */
export function rootFromBranch(coinbaseHash: Uint8Array, branch: readonly Uint8Array[]): Uint8Array {
  let node = coinbaseHash;
  const pair = new Uint8Array(64);
  for (const sibling of branch) {
    pair.set(node, 0);
    pair.set(sibling, 32);
    node = sha256d(pair);
  }
  return node;
}
