import {
  type BlockTemplate,
  type CoinbaseError,
  type CoinbaseParts,
  type Network,
  buildCoinbase,
  bytesToHex,
  coinbaseHex,
  hexToBytes,
  isHex,
  merkleBranch,
  reversed,
} from '../bitcoin/index.js';
import { type Result, fail, ok } from '../result.js';
import { type StratumJob, hex32, prevhashToStratum } from '../stratum/index.js';

// Template → Stratum job. The job record keeps everything needed to turn a winning share back into a block.

export interface JobOptions {
  /** Output script paid the reward (addressToScript(...).scriptPubKey). */
  payoutScript: Uint8Array;
  /** Coinbase message, e.g. "/farmhand/". */
  tag?: string;
  /** Bytes of extranonce1 + extranonce2 in the coinbase. */
  extranonceSize: number;
  jobId: string;
  cleanJobs?: boolean;
  /** Used for the subsidy of empty-block jobs (regtest halves every 150 blocks). Default mainnet. */
  network?: Network;
}

/** One job as the jobmaster keeps it. */
export interface JobRecord {
  job: StratumJob;
  coinbase: CoinbaseParts;
  template: BlockTemplate;
}

export type JobBuildError = CoinbaseError | 'TEMPLATE_INVALID';

/** Builds the Stratum job of a getblocktemplate result. */
export function buildJob(template: BlockTemplate, opts: JobOptions): Result<JobRecord, JobBuildError> {
  const bad = checkTemplate(template);
  if (bad) return fail('TEMPLATE_INVALID', bad);
  const coinbase = buildCoinbase(template, {
    payoutScript: opts.payoutScript,
    extranonceSize: opts.extranonceSize,
    ...(opts.tag ? { tag: opts.tag } : {}),
  });
  if (!coinbase.ok) return coinbase;
  // The branch uses txids (not wtxids) in internal order; the coinbase's slot is implicit.
  const branch = merkleBranch(template.transactions.map((t) => reversed(hexToBytes(t.txid))));
  const { coinb1, coinb2 } = coinbaseHex(coinbase.value);
  const job: StratumJob = {
    jobId: opts.jobId,
    prevhash: prevhashToStratum(reversed(hexToBytes(template.previousblockhash))),
    coinb1,
    coinb2,
    merkleBranch: branch.map(bytesToHex),
    version: hex32(template.version),
    nbits: template.bits.toLowerCase(),
    ntime: hex32(template.curtime),
    cleanJobs: opts.cleanJobs ?? false,
  };
  return ok({ job, coinbase: coinbase.value, template });
}

/** The tip an empty-block job mines on: a new block seen elsewhere before our node has its template. */
export interface EmptyBlockTip {
  /** Height of the block being mined (the new tip's height + 1). */
  height: number;
  /** Hash of the new tip, display hex. */
  prevhash: string;
  /** nBits as 8 hex digits. */
  bits: string;
  curtime: number;
  version: number;
  /** Reward; default the subsidy alone (an empty block collects no fees). */
  coinbasevalue?: number;
}

/**
 * A job with no transactions: mined at once on a new tip while the node still validates it. Without
 * transactions there is no witness data, so the block needs no witness commitment.
 */
export function emptyBlockJob(tip: EmptyBlockTip, opts: JobOptions): Result<JobRecord, JobBuildError> {
  const template: BlockTemplate = {
    version: tip.version,
    previousblockhash: tip.prevhash,
    transactions: [],
    coinbasevalue: tip.coinbasevalue ?? blockSubsidy(tip.height, opts.network ?? 'mainnet'),
    bits: tip.bits,
    curtime: tip.curtime,
    height: tip.height,
    rules: [],
  };
  return buildJob(template, opts);
}

const HALVING_INTERVAL: Record<Network, number> = {
  mainnet: 210_000,
  testnet: 210_000,
  signet: 210_000,
  regtest: 150,
};

/** Block subsidy in satoshis: 50 BTC halving every interval, zero after 64 halvings. */
export function blockSubsidy(height: number, network: Network = 'mainnet'): number {
  const halvings = Math.floor(height / HALVING_INTERVAL[network]);
  if (halvings >= 64) return 0;
  return Number(5_000_000_000n >> BigInt(halvings));
}

function checkTemplate(t: BlockTemplate): string | null {
  if (!isHex(t.previousblockhash, 32)) return 'previousblockhash is not 64 hex digits';
  if (!/^[0-9a-fA-F]{8}$/.test(t.bits)) return `bits "${t.bits}" is not 8 hex digits`;
  if (!Number.isSafeInteger(t.height) || t.height < 0) return `height ${t.height} is not a block height`;
  if (!Number.isSafeInteger(t.coinbasevalue) || t.coinbasevalue < 0)
    return `coinbasevalue ${t.coinbasevalue} is not a satoshi amount`;
  if (!Number.isInteger(t.version) || !Number.isInteger(t.curtime))
    return 'version or curtime is not an integer';
  for (const [i, tx] of t.transactions.entries()) {
    if (!isHex(tx.txid, 32) || !isHex(tx.data)) return `transaction ${i} has a malformed txid or data`;
  }
  return null;
}
