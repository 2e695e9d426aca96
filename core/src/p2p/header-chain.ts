// The few recent headers bitpeer knows, and the checks a new header must pass before the pool mines
// on it: it extends a known header, its hash meets its own nBits, and that nBits is what the chain
// allows at its height (unchanged between retargets, within a factor 4 at one).
import { fail, ok, type Result } from '../result.js';
import { bytesToHex, reversed } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';
import { parseHeader, type BlockHeader } from '../bitcoin/header.js';
import { bitsToTarget, hashToBigInt, targetToBits } from '../bitcoin/target.js';
import type { Network } from '../bitcoin/address.js';

const RETARGET_INTERVAL = 2016;
/** Core refuses headers more than two hours ahead of its clock. */
const MAX_FUTURE_S = 2 * 60 * 60;

export const POW_LIMIT_BITS: Record<Network, number> = {
  mainnet: 0x1d00ffff,
  testnet: 0x1d00ffff,
  signet: 0x1e0377ae,
  regtest: 0x207fffff,
};

export interface ChainTip {
  /** Display hex. */
  hash: string;
  height: number;
  bits: number;
  time: number;
}

export type HeaderErrorCode =
  'HEADER_UNKNOWN_PARENT' | 'HEADER_BAD_POW' | 'HEADER_BAD_BITS' | 'HEADER_TOO_NEW';

export interface AcceptedHeader {
  tip: ChainTip;
  header: BlockHeader;
  /** True when it is higher than the best header known before: a new tip to announce. */
  isNewBest: boolean;
  /** False when the header was already known (a duplicate announcement). */
  isNew: boolean;
}

export class HeaderChain {
  readonly #byHash = new Map<string, ChainTip>();
  readonly #order: string[] = [];
  #best: ChainTip;

  constructor(
    readonly network: Network,
    start: ChainTip,
    private readonly keep = 200,
  ) {
    this.#best = start;
    this.#remember(start);
  }

  get best(): ChainTip {
    return this.#best;
  }

  has(hash: string): boolean {
    return this.#byHash.has(hash);
  }

  /** Resets to a tip learned from elsewhere (the node, or a full block): forgets nothing else. */
  setBest(tip: ChainTip): void {
    this.#remember(tip);
    if (tip.height >= this.#best.height) this.#best = tip;
  }

  /** Checks and records one 80-byte header. `now` is unix seconds. */
  accept(raw: Uint8Array, now: number): Result<AcceptedHeader, HeaderErrorCode> {
    const header = parseHeader(raw);
    const hashBytes = sha256d(raw);
    const hash = bytesToHex(reversed(hashBytes));
    const known = this.#byHash.get(hash);
    if (known) return ok({ tip: known, header, isNewBest: false, isNew: false });
    const prevHash = bytesToHex(reversed(header.prevHash));
    const parent = this.#byHash.get(prevHash);
    if (!parent)
      return fail(
        'HEADER_UNKNOWN_PARENT',
        `header ${hash} builds on ${prevHash}, which is not a known header`,
      );
    const target = bitsToTarget(header.bits);
    if (target === 0n || hashToBigInt(hashBytes) > target)
      return fail('HEADER_BAD_POW', `header ${hash} does not meet its own nBits ${hex8(header.bits)}`);
    const height = parent.height + 1;
    const why = nBitsProblem(this.network, parent, header, height);
    if (why) return fail('HEADER_BAD_BITS', `header ${hash} at height ${height}: ${why}`);
    if (header.time > now + MAX_FUTURE_S)
      return fail('HEADER_TOO_NEW', `header ${hash} is timed ${header.time - now} s in the future`);
    const tip: ChainTip = { hash, height, bits: header.bits, time: header.time };
    this.#remember(tip);
    const isNewBest = height > this.#best.height;
    if (isNewBest) this.#best = tip;
    return ok({ tip, header, isNewBest, isNew: true });
  }

  #remember(tip: ChainTip): void {
    if (this.#byHash.has(tip.hash)) return;
    this.#byHash.set(tip.hash, tip);
    this.#order.push(tip.hash);
    while (this.#order.length > this.keep) this.#byHash.delete(this.#order.shift()!);
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Why nBits `h.bits` is not allowed at `height` on top of `parent`, or null when it is: never easier
 * than the network's limit; unchanged between retargets; within a factor 4 at a retarget (2016 blocks);
 * testnet3's 20-minute minimum-difficulty rule; regtest checks the limit only.
 */
export function nBitsProblem(
  network: Network,
  parent: Pick<ChainTip, 'bits' | 'time'>,
  h: Pick<BlockHeader, 'bits' | 'time'>,
  height: number,
): string | null {
  const limit = bitsToTarget(POW_LIMIT_BITS[network]);
  const target = bitsToTarget(h.bits);
  if (target > limit) return `nBits ${hex8(h.bits)} is easier than the network's limit`;
  if (network === 'regtest') return null; // regtest never retargets; the limit is all there is
  if (height % RETARGET_INTERVAL === 0) {
    // A retarget moves the target by at most a factor of 4 either way.
    const old = bitsToTarget(parent.bits);
    // The node rounds the new target down to what nBits can hold; allow that at the lower bound.
    const lowest = bitsToTarget(targetToBits(old / 4n));
    if (target > old * 4n || target < lowest)
      return `retarget from ${hex8(parent.bits)} to ${hex8(h.bits)} is more than a factor 4`;
    return null;
  }
  if (h.bits === parent.bits) return null;
  // testnet: a block 20 minutes after its parent may use the minimum difficulty.
  if (network === 'testnet' && h.bits === POW_LIMIT_BITS.testnet && h.time > parent.time + 1200) return null;
  // testnet after a min-difficulty block returns to the real difficulty, which we may not know.
  if (network === 'testnet' && parent.bits === POW_LIMIT_BITS.testnet) return null;
  return `nBits ${hex8(h.bits)} differs from its parent's ${hex8(parent.bits)} between retargets`;
}
