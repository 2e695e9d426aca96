/** The part of a getblocktemplate result (BIP22/23/9/141) that pools use. */
export interface TemplateTransaction {
  data: string;
  txid: string;
  hash?: string;
  fee?: number;
  weight?: number;
}

export interface BlockTemplate {
  version: number;
  previousblockhash: string;
  transactions: TemplateTransaction[];
  coinbasevalue: number;
  bits: string;
  curtime: number;
  height: number;
  mintime?: number;
  target?: string;
  rules?: string[];
  default_witness_commitment?: string;
  coinbaseaux?: Record<string, string>;
  longpollid?: string;
}

/** True when the template's block must carry segwit data (a witness commitment). */
export function templateIsSegwit(t: BlockTemplate): boolean {
  return (
    t.default_witness_commitment !== undefined ||
    (t.rules ?? []).some((r) => r === 'segwit' || r === '!segwit')
  );
}
