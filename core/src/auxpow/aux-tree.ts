// The merged-mining tree (Namecoin's scheme): one leaf slot per aux chain, the slot fixed by the chain
// id and a nonce, so a chain cannot be committed twice in one parent coinbase. Hashes in internal order.
import { fail, ok, type Result } from '../result.js';
import { concatBytes, u32le } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

/** "\xfa\xbe" "mm": marks the commitment in the parent coinbase scriptSig. */
export const MM_MAGIC = Uint8Array.of(0xfa, 0xbe, 0x6d, 0x6d);
/** Namecoin refuses chain branches longer than 30. */
export const MAX_AUX_TREE_HEIGHT = 30;

/** The slot a chain must occupy in a tree of 2^height leaves (Namecoin's getExpectedIndex, a 32-bit LCG). */
export function auxSlot(nonce: number, chainId: number, height: number): number {
  let rand = (Math.imul(nonce >>> 0, 1103515245) + 12345) >>> 0;
  rand = (rand + chainId) >>> 0;
  rand = (Math.imul(rand, 1103515245) + 12345) >>> 0;
  return rand % 2 ** height;
}

export interface AuxLeaf {
  chainId: number;
  /** The aux block hash, internal order (createauxblock's "hash" reversed). */
  hash: Uint8Array;
}

export interface AuxTree {
  height: number;
  nonce: number;
  /** 2^height leaves; empty slots are 32 zero bytes. */
  leaves: Uint8Array[];
  root: Uint8Array;
  /** chainId → slot. */
  slots: Map<number, number>;
}

export type AuxTreeError = 'AUX_SLOT_COLLISION' | 'AUX_DUPLICATE_CHAIN';

/**
 * The smallest tree (up to 2^maxHeight leaves) in which every chain gets its own slot for this nonce.
 * One chain gives a one-leaf tree whose root is that chain's hash and whose branch is empty.
 */
export function buildAuxTree(
  leaves: readonly AuxLeaf[],
  nonce = 0,
  maxHeight = 8,
): Result<AuxTree, AuxTreeError> {
  const ids = new Set(leaves.map((l) => l.chainId));
  if (ids.size !== leaves.length) return fail('AUX_DUPLICATE_CHAIN', 'two aux chains share a chain id');
  for (let height = 0; height <= Math.min(maxHeight, MAX_AUX_TREE_HEIGHT); height++) {
    const slots = new Map<number, number>();
    const used = new Set<number>();
    let clash = false;
    for (const l of leaves) {
      const s = auxSlot(nonce, l.chainId, height);
      if (used.has(s)) {
        clash = true;
        break;
      }
      used.add(s);
      slots.set(l.chainId, s);
    }
    if (clash) continue;
    const size = 2 ** height;
    const tree: Uint8Array[] = Array.from({ length: size }, () => new Uint8Array(32));
    for (const l of leaves) tree[slots.get(l.chainId)!] = l.hash;
    return ok({ height, nonce, leaves: tree, root: rootOf(tree), slots });
  }
  return fail(
    'AUX_SLOT_COLLISION',
    `no tree of up to 2^${maxHeight} slots separates these chain ids with nonce ${nonce}`,
  );
}

function rootOf(level: Uint8Array[]): Uint8Array {
  let l = level;
  while (l.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < l.length; i += 2) next.push(sha256d(concatBytes(l[i]!, l[i + 1] ?? l[i]!)));
    l = next;
  }
  return l[0]!;
}

/** The siblings on the path from leaf `index` to the root, bottom up. */
export function merkleBranchAt(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  const branch: Uint8Array[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    branch.push(level[i ^ 1] ?? level[i]!);
    const next: Uint8Array[] = [];
    for (let k = 0; k < level.length; k += 2)
      next.push(sha256d(concatBytes(level[k]!, level[k + 1] ?? level[k]!)));
    level = next;
    i >>= 1;
  }
  return branch;
}

/** Folds a hash up a branch: the index's bits say on which side each sibling sits. */
export function rootFromIndexedBranch(
  hash: Uint8Array,
  branch: readonly Uint8Array[],
  index: number,
): Uint8Array {
  let h = hash;
  let i = index;
  for (const sibling of branch) {
    h = i & 1 ? sha256d(concatBytes(sibling, h)) : sha256d(concatBytes(h, sibling));
    i >>= 1;
  }
  return h;
}

/** The 44 bytes committed in the parent coinbase: magic ‖ root (reversed) ‖ tree size u32 ‖ nonce u32. */
export function mmCommitment(tree: Pick<AuxTree, 'root' | 'height' | 'nonce'>): Uint8Array {
  return concatBytes(
    MM_MAGIC,
    Uint8Array.from(tree.root).reverse(),
    u32le(2 ** tree.height),
    u32le(tree.nonce),
  );
}
