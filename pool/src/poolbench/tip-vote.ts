// Decides whether other pools' jobs show a new tip we should mine on. A pool's notify is a claim:
// "the block at height H (its coinbase's BIP34 height minus one) has hash P". The claim counts only when
// H is exactly the height we are mining (it follows our tip) and P is not our prevhash; it is acted on
// when a trusted pool makes it, or `quorum` different pools make the same one.
import { readBip34Height } from '@farmhand/core/bitcoin';
import { bytesToHex, hexToBytes, reversed } from '@farmhand/core/bitcoin';
import { stratumPrevhashToHeader, type StratumJob } from '@farmhand/core/stratum';

export interface OurWork {
  /** Height of the block our jobmaster mines. */
  height: number;
  /** Its previous block hash, display hex. */
  prevhash: string;
}

export interface TipClaim {
  /** Height of the new tip (the pool mines height + 1). */
  height: number;
  /** The new tip's hash, display hex. */
  prevhash: string;
  nbits: string;
  ntime: number;
}

export type Verdict =
  | { kind: 'act'; claim: TipClaim; pools: string[] }
  | { kind: 'wait'; claim: TipClaim; pools: string[] }
  | { kind: 'same' } // the pool mines on our tip
  | { kind: 'refused'; reason: string };

/** Reads the claim out of a notify: the BIP34 height sits right after the coinbase input's script length. */
export function claimOf(job: StratumJob): TipClaim | null {
  const coinb1 = hexToBytes(job.coinb1);
  // version(4) ‖ input count(1) ‖ prevout(36) ‖ script length(1) → the script starts at byte 42.
  if (coinb1.length < 43 || coinb1[4] !== 1) return null;
  const height = readBip34Height(coinb1.subarray(42));
  if (height === null || height < 1) return null;
  const prevhash = bytesToHex(reversed(stratumPrevhashToHeader(job.prevhash)));
  return { height: height - 1, prevhash, nbits: job.nbits, ntime: Number.parseInt(job.ntime, 16) };
}

export class TipVote {
  /** prevhash → pools that claimed it, for the current height only. */
  #claims = new Map<string, Set<string>>();
  #height = -1;
  #acted = new Set<string>();

  constructor(private readonly quorum: number) {}

  observe(pool: string, trusted: boolean, job: StratumJob, ours: OurWork | null): Verdict {
    const claim = claimOf(job);
    if (!claim) return { kind: 'refused', reason: 'no BIP34 height in the coinbase' };
    if (!ours) return { kind: 'refused', reason: 'our own work is not known yet' };
    if (claim.prevhash === ours.prevhash) return { kind: 'same' };
    if (claim.height + 1 <= ours.height)
      return { kind: 'refused', reason: `height ${claim.height + 1} is not ahead of ours (${ours.height})` };
    if (claim.height !== ours.height)
      return {
        kind: 'refused',
        reason: `coinbase height ${claim.height + 1} skips ahead of ours (${ours.height}); a tip must follow ours`,
      };
    if (claim.height !== this.#height) {
      this.#claims.clear();
      this.#acted.clear();
      this.#height = claim.height;
    }
    const voters = this.#claims.get(claim.prevhash) ?? new Set<string>();
    voters.add(pool);
    this.#claims.set(claim.prevhash, voters);
    const pools = [...voters];
    const key = `${claim.height}:${claim.prevhash}`;
    if ((trusted || voters.size >= this.quorum) && !this.#acted.has(key)) {
      this.#acted.add(key);
      return { kind: 'act', claim, pools };
    }
    return { kind: 'wait', claim, pools };
  }
}
