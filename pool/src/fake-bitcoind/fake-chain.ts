// The chain state of the fake node: a tip, the blocks it accepted, and the template it hands out next.
// submitblock runs Bitcoin Core's checks in Core's order and answers with Core's reason strings.
import {
  type Block,
  type BlockTemplate,
  bitsToTarget,
  bytesEqual,
  bytesToHex,
  concatBytes,
  hashMeetsTarget,
  hexToBytes,
  merkleRoot,
  parseBlock,
  readBip34Height,
  reversed,
  sha256d,
  targetToBytes,
  txid,
  witnessCommitmentScript,
  wtxid,
  hasWitness,
} from '@farmhand/core/bitcoin';
import { blockSubsidy } from '@farmhand/core/job';

export interface AcceptedBlock {
  hash: string;
  height: number;
  prevhash: string;
  /** The raw block as submitted, hex. */
  hex: string;
  block: Block;
  /** True when it extended the best chain; false for a side-chain sibling ("inconclusive"). */
  best: boolean;
}

/** submitblock's outcome: null = accepted; a string = Core's reason; decodeError = an RPC error -22. */
export type SubmitOutcome = { result: string | null } | { decodeError: string };

const COMMITMENT_HEADER = hexToBytes('6a24aa21a9ed');

export class FakeChain {
  #template: BlockTemplate;
  #tip: { hash: string; height: number };
  readonly #known = new Map<string, { height: number }>();
  readonly #accepted: AcceptedBlock[] = [];
  #templateSerial = 0;
  /** Fees of every transaction ever offered in a template (a sibling block may still include them). */
  readonly #fees = new Map<string, bigint>();

  constructor(start: BlockTemplate) {
    this.#template = start;
    this.#tip = { hash: start.previousblockhash, height: start.height - 1 };
    this.#known.set(start.previousblockhash, { height: start.height - 1 });
    for (const t of start.transactions) this.#fees.set(t.txid, BigInt(t.fee ?? 0));
  }

  get tip(): { hash: string; height: number } {
    return { ...this.#tip };
  }

  /** Changes whenever the template does (a new tip); long-polls wait on it. */
  get longpollid(): string {
    return `${this.#tip.hash}${this.#templateSerial}`;
  }

  acceptedBlocks(): AcceptedBlock[] {
    return this.#accepted.slice();
  }

  /** The current template; curtime follows the clock like Core's (never below mintime). */
  template(nowSeconds = Math.floor(Date.now() / 1000)): BlockTemplate {
    const t = this.#template;
    return { ...t, curtime: Math.max(t.mintime ?? 0, nowSeconds), longpollid: this.longpollid };
  }

  submit(hex: string): SubmitOutcome {
    let block: Block;
    try {
      block = parseBlock(hexToBytes(hex));
    } catch {
      return { decodeError: 'Block decode failed' };
    }
    const coinbase = block.transactions[0];
    if (!coinbase) return { decodeError: 'Block does not start with a coinbase' };
    const hashBytes = sha256d(block.headerBytes);
    const hash = bytesToHex(reversed(hashBytes));
    if (this.#known.has(hash)) return { result: 'duplicate' };
    // CheckBlockHeader / CheckBlock (context-free).
    if (!hashMeetsTarget(hashBytes, targetToBytes(bitsToTarget(block.header.bits))))
      return { result: 'high-hash' };
    if (!bytesEqual(block.header.merkleRoot, merkleRoot(block.transactions.map(txid))))
      return { result: 'bad-txnmrklroot' };
    // AcceptBlockHeader / ContextualCheckBlockHeader.
    const prevhash = bytesToHex(reversed(block.header.prevHash));
    const prev = this.#known.get(prevhash);
    if (!prev) return { result: 'prev-blk-not-found' };
    if (block.header.bits !== Number.parseInt(this.#template.bits, 16) >>> 0)
      return { result: 'bad-diffbits' };
    // ContextualCheckBlock.
    const height = prev.height + 1;
    if (readBip34Height(coinbase.inputs[0]?.scriptSig ?? new Uint8Array(0)) !== height)
      return { result: 'bad-cb-height' };
    const witness = checkWitness(block);
    if (witness) return { result: witness };
    const paid = coinbase.outputs.reduce((sum, o) => sum + o.value, 0n);
    if (paid > this.#allowedReward(block, height)) return { result: 'bad-cb-amount' };

    const best = prevhash === this.#tip.hash;
    this.#known.set(hash, { height });
    this.#accepted.push({ hash, height, prevhash, hex, block, best });
    if (!best) return { result: 'inconclusive' };
    this.#advance(hash, height, block.header.time);
    return { result: null };
  }

  /** Subsidy plus the fees of the template transactions the block includes. */
  #allowedReward(block: Block, height: number): bigint {
    let reward = BigInt(blockSubsidy(height, 'regtest'));
    for (const tx of block.transactions.slice(1))
      reward += this.#fees.get(bytesToHex(reversed(txid(tx)))) ?? 0n;
    return reward;
  }

  #advance(hash: string, height: number, time: number): void {
    this.#tip = { hash, height };
    this.#templateSerial++;
    // The mempool went into the block: the next template is empty, with Core's empty witness commitment.
    this.#template = {
      ...this.#template,
      previousblockhash: hash,
      height: height + 1,
      transactions: [],
      coinbasevalue: blockSubsidy(height + 1, 'regtest'),
      mintime: time + 1,
      curtime: time + 1,
      default_witness_commitment: bytesToHex(witnessCommitmentScript([])),
    };
  }
}

/** BIP141: a commitment in the coinbase must match the wtxids; without one no transaction may carry witness. */
function checkWitness(block: Block): string | null {
  const coinbase = block.transactions[0]!;
  let commitment: Uint8Array | undefined;
  for (const o of coinbase.outputs) {
    if (o.script.length >= 38 && bytesEqual(o.script.subarray(0, 6), COMMITMENT_HEADER))
      commitment = o.script;
  }
  if (!commitment) return block.transactions.some(hasWitness) ? 'unexpected-witness' : null;
  const stack = coinbase.inputs[0]?.witness ?? [];
  if (stack.length !== 1 || stack[0]!.length !== 32) return 'bad-witness-nonce-size';
  const root = merkleRoot([new Uint8Array(32), ...block.transactions.slice(1).map(wtxid)]);
  const expected = sha256d(concatBytes(root, stack[0]!));
  return bytesEqual(commitment.subarray(6, 38), expected) ? null : 'bad-witness-merkle-match';
}
