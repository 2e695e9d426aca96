// An in-test aux chain's RPC for merged-mining tests: hands out work and checks every AuxPoW it is given.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bitsToTarget, bytesToHex, hexToBytes, reversed } from '@farmhand/core/bitcoin';
import { checkAuxPow, parseAuxPow } from '@farmhand/core/auxpow';

/**
 * An aux chain's RPC (Namecoin-style createauxblock/submitauxblock): hands out a block hash to merge-mine
 * and checks every AuxPoW it is given — coinbase commitment, both merkle branches, slot, and that the
 * parent header meets its target — before accepting it.
 */
export class TestAuxChain {
  readonly submissions: { hash: string; ok: boolean; why?: string }[] = [];
  hash = bytesToHex(randomBytes(32));
  height = 500;
  #server: Server;
  port = 0;
  constructor(
    readonly chainId: number,
    readonly bits: string,
  ) {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: string[] };
        let result: unknown = null;
        if (method === 'createauxblock') {
          result = {
            hash: this.hash,
            chainid: this.chainId,
            bits: this.bits,
            height: this.height,
            coinbasevalue: 1,
          };
        } else if (method === 'submitauxblock') {
          result = this.#check(params[0]!, params[1]!);
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id, result, error: null }));
      });
    });
  }
  #check(hash: string, auxpowHex: string): boolean {
    const record = (ok: boolean, why?: string) => {
      this.submissions.push({ hash, ok, ...(why ? { why } : {}) });
      return ok;
    };
    if (hash !== this.hash) return record(false, 'unknown block hash');
    const a = parseAuxPow(hexToBytes(auxpowHex));
    if (!a.ok) return record(false, a.error.message);
    const r = checkAuxPow(
      a.value,
      reversed(hexToBytes(hash)),
      this.chainId,
      bitsToTarget(Number.parseInt(this.bits, 16)),
    );
    if (!r.ok) return record(false, r.error.message);
    // Accepted: the chain moves on.
    this.hash = bytesToHex(randomBytes(32));
    this.height++;
    return record(true);
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
    return `http://u:p@127.0.0.1:${this.port}`;
  }
  async close(): Promise<void> {
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
