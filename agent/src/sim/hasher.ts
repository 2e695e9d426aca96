import { concatBytes, hashMeetsTarget, rootFromBranch, sha256d, writeHeader } from '@farmhand/core/bitcoin';

// Real nonce search on real headers, shared by every simulated miner of a process. Work runs in
// slices between event-loop turns, so sockets stay served while a share is being searched for.

export interface SearchWork {
  readonly prevHash: Uint8Array;
  readonly coinb1: Uint8Array;
  readonly extranonce1: Uint8Array;
  readonly extranonce2: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly branch: readonly Uint8Array[];
  readonly version: number;
  readonly ntime: number;
  readonly bits: number;
  /** Share target, 32 little-endian bytes. */
  readonly target: Uint8Array;
  readonly startNonce: number;
  readonly maxHashes: number;
  /** 'meets' finds a valid share; 'misses' finds one that is deliberately below the target. */
  readonly want: 'meets' | 'misses';
}

export interface SearchResult {
  readonly nonce: number;
  readonly hash: Uint8Array;
  readonly hashes: number;
}

interface Pending {
  readonly work: SearchWork;
  readonly header: Uint8Array;
  done: number;
  readonly resolve: (r: SearchResult | undefined) => void;
  cancelled: boolean;
}

export interface SearchTicket {
  readonly result: Promise<SearchResult | undefined>;
  cancel(): void;
}

export class Hasher {
  readonly #queue: Pending[] = [];
  #running = false;
  #stopped = false;
  /** Hashes computed since start, for the bench and the summary line. */
  totalHashes = 0;

  constructor(private readonly sliceHashes = 4096) {}

  get queued(): number {
    return this.#queue.length;
  }

  search(work: SearchWork): SearchTicket {
    let resolve!: (r: SearchResult | undefined) => void;
    const result = new Promise<SearchResult | undefined>((r) => (resolve = r));
    const coinbase = concatBytes(work.coinb1, work.extranonce1, work.extranonce2, work.coinb2);
    const root = rootFromBranch(sha256d(coinbase), work.branch);
    const header = new Uint8Array(80);
    writeHeader(header, work.version, work.prevHash, root, work.ntime, work.bits, 0);
    const p: Pending = { work, header, done: 0, resolve, cancelled: false };
    if (this.#stopped) resolve(undefined);
    else {
      this.#queue.push(p);
      this.#kick();
    }
    return {
      result,
      cancel: () => {
        if (!p.cancelled) {
          p.cancelled = true;
          resolve(undefined);
        }
      },
    };
  }

  stop(): void {
    this.#stopped = true;
    for (const p of this.#queue.splice(0)) p.resolve(undefined);
  }

  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    setImmediate(() => this.#slice());
  }

  #slice(): void {
    let budget = this.sliceHashes;
    while (budget > 0 && this.#queue.length > 0) {
      const p = this.#queue[0]!;
      if (p.cancelled) {
        this.#queue.shift();
        continue;
      }
      const n = Math.min(budget, p.work.maxHashes - p.done);
      const found = this.#run(p, n);
      budget -= n;
      if (found || p.done >= p.work.maxHashes) {
        this.#queue.shift();
        p.cancelled = true;
        p.resolve(found);
      } else {
        // Round-robin: a long search goes to the back so short ones are not starved.
        this.#queue.push(this.#queue.shift()!);
      }
    }
    this.#running = false;
    if (this.#queue.length > 0) this.#kick();
  }

  #run(p: Pending, n: number): SearchResult | undefined {
    const h = p.header;
    const { target, want, startNonce } = p.work;
    for (let i = 0; i < n; i++) {
      const nonce = (startNonce + p.done) >>> 0;
      p.done++;
      h[76] = nonce & 0xff;
      h[77] = (nonce >>> 8) & 0xff;
      h[78] = (nonce >>> 16) & 0xff;
      h[79] = nonce >>> 24;
      const hash = sha256d(h);
      if (hashMeetsTarget(hash, target) === (want === 'meets')) {
        this.totalHashes += i + 1;
        return { nonce, hash, hashes: p.done };
      }
    }
    this.totalHashes += n;
    return undefined;
  }
}
