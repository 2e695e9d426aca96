import {
  concatBytes,
  difficultyToTarget,
  hashDifficulty,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  sha256d,
  targetToBytes,
  writeHeader,
} from '@farmhand/core/bitcoin';
import { hex32, parseHex32, stratumPrevhashToHeader, type StratumJob } from '@farmhand/core/stratum';

// The plain Stratum test pool is the shared endpoint (validates every submit with core's
// ShareValidator and records the verdicts); this file adds a share miner for upstream tests.
export {
  startStratumEndpoint as startStratumPool,
  type StratumEndpoint as StratumPool,
} from './stratum-endpoint.js';

export interface MinedShare {
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** The difficulty the hash achieved. */
  readonly shareDifficulty: number;
}

/** Finds a nonce whose header meets `difficulty` for work {job, extranonce1} and a full extranonce2. */
export function mineShare(
  work: { readonly job: StratumJob; readonly extranonce1: string },
  extranonce2: string,
  difficulty: number,
  startNonce = 0,
): MinedShare {
  const { job } = work;
  const coinbase = concatBytes(
    hexToBytes(job.coinb1),
    hexToBytes(work.extranonce1),
    hexToBytes(extranonce2),
    hexToBytes(job.coinb2),
  );
  const root = rootFromBranch(sha256d(coinbase), job.merkleBranch.map(hexToBytes));
  const target = targetToBytes(difficultyToTarget(difficulty));
  const header = new Uint8Array(80);
  const prev = stratumPrevhashToHeader(job.prevhash);
  const version = parseHex32(job.version)!;
  const ntime = parseHex32(job.ntime)!;
  const bits = parseHex32(job.nbits)!;
  for (let nonce = startNonce; nonce < startNonce + 50_000_000; nonce++) {
    writeHeader(header, version, prev, root, ntime, bits, nonce >>> 0);
    const hash = sha256d(header);
    if (hashMeetsTarget(hash, target)) {
      return {
        extranonce2,
        ntime: job.ntime,
        nonce: hex32(nonce >>> 0),
        shareDifficulty: hashDifficulty(hash),
      };
    }
  }
  throw new Error('no share found');
}
