// Merged mining for the jobmaster: keeps work from each aux chain (createauxblock, or getauxblock when
// no address is given), commits all of them in the parent coinbase through one aux tree, and when a
// share's parent header meets an aux chain's target, sends that chain its AuxPoW (submitauxblock).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { fail, ok, type Result } from '@farmhand/core';
import {
  bitsToTarget,
  bytesToHex,
  hashToBigInt,
  hexToBytes,
  isHex,
  reversed,
  sha256d,
} from '@farmhand/core/bitcoin';
import {
  MM_MAGIC,
  buildAuxTree,
  merkleBranchAt,
  mmCommitment,
  serializeAuxPow,
  type AuxTree,
} from '@farmhand/core/auxpow';
import { BitcoindClient } from '../bitcoind/index.js';

export interface AuxChainConfig {
  readonly name: string;
  /** http://user:pass@host:port of the aux chain's node. */
  readonly url: string;
  /** Reward address: use createauxblock/submitauxblock; without it getauxblock. */
  readonly address?: string;
}

export interface AuxOptions {
  pollMs: number;
  rpcTimeoutMs: number;
  /** The tree nonce (the seed's aux_merkle_nonce). */
  merkleNonce: number;
}

interface AuxWork {
  chain: string;
  /** Aux block hash, display hex as the RPC gives it. */
  hash: string;
  chainId: number;
  target: bigint;
  height: number;
}

interface Snapshot {
  tree: AuxTree;
  works: AuxWork[];
}

export interface AuxBlockEvent {
  chain: string;
  hash: string;
  height: number;
  accepted: boolean;
  /** The node's answer, or why the call failed. */
  result: unknown;
}

/** Validates the jobmaster's "auxChains" key: a list of {name, url, address?}. */
export function parseAuxChains(v: unknown): Result<AuxChainConfig[], 'CONFIG_INVALID'> {
  if (!Array.isArray(v))
    return fail('CONFIG_INVALID', 'config.auxChains: expected a list of {"name","url","address"}');
  const out: AuxChainConfig[] = [];
  for (const [i, c] of v.entries()) {
    const o = c as Record<string, unknown>;
    const where = `config.auxChains[${i}]`;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.url !== 'string')
      return fail(
        'CONFIG_INVALID',
        `${where}: expected {"name","url":"http://user:pass@host:port","address"?}`,
      );
    if (o.address !== undefined && typeof o.address !== 'string')
      return fail('CONFIG_INVALID', `${where}.address: expected the aux chain's reward address`);
    try {
      if (!new URL(o.url).username) throw new Error();
    } catch {
      return fail('CONFIG_INVALID', `${where}.url: expected http://user:pass@host:port`);
    }
    out.push({
      name: o.name,
      url: o.url,
      ...(o.address !== undefined ? { address: o.address as string } : {}),
    });
  }
  return ok(out);
}

/** Events: 'work' (a chain's work changed), 'auxblock' (AuxBlockEvent). */
export class AuxChains extends EventEmitter {
  readonly #chains: { config: AuxChainConfig; node: BitcoindClient }[];
  readonly #works = new Map<string, AuxWork>();
  /** Trees committed in jobs, by root (internal hex): a share may come from any recent job. */
  readonly #snapshots = new Map<string, Snapshot>();
  #current: Snapshot | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    chains: readonly AuxChainConfig[],
    private readonly opts: AuxOptions,
    private readonly log: Logger,
  ) {
    super();
    this.#chains = chains.map((c) => ({
      config: c,
      node: new BitcoindClient({ url: c.url, name: c.name, timeoutMs: opts.rpcTimeoutMs }),
    }));
  }

  start(): void {
    const tick = () => void this.poll();
    tick();
    this.#timer = setInterval(tick, this.opts.pollMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.#chains.map((c) => c.node.close()));
  }

  /** Asks every chain for work; rebuilds the tree and emits 'work' when any hash changed. */
  async poll(): Promise<void> {
    let changed = false;
    await Promise.all(
      this.#chains.map(async ({ config, node }) => {
        const r = config.address
          ? await node.call<Record<string, unknown>>('createauxblock', [config.address])
          : await node.call<Record<string, unknown>>('getauxblock', []);
        if (!r.ok) return this.log.warn({ chain: config.name }, `aux work: ${r.error.message}`);
        const w = readWork(config.name, r.value);
        if (!w)
          return this.log.warn({ chain: config.name }, 'aux work: the answer lacks hash, chainid or target');
        if (this.#works.get(config.name)?.hash !== w.hash) changed = true;
        this.#works.set(config.name, w);
      }),
    );
    if (!changed) return;
    const works = [...this.#works.values()];
    const tree = buildAuxTree(
      works.map((w) => ({ chainId: w.chainId, hash: reversed(hexToBytes(w.hash)) })),
      this.opts.merkleNonce,
    );
    if (!tree.ok) return this.log.error(tree.error.message);
    this.#current = { tree: tree.value, works };
    this.#snapshots.set(bytesToHex(tree.value.root), this.#current);
    // Older trees stay answerable for a while: shares on slightly older jobs still count.
    while (this.#snapshots.size > 16) this.#snapshots.delete(this.#snapshots.keys().next().value!);
    this.log.info({ chains: works.map((w) => `${w.chain}@${w.height}`) }, 'aux work updated');
    this.emit('work');
  }

  /** The 44-byte commitment for new jobs, or null while no chain has given work. */
  commitment(): Uint8Array | null {
    return this.#current ? mmCommitment(this.#current.tree) : null;
  }

  /** The easiest aux target (a share meeting it may win some aux block), 64 hex digits. */
  easiestTarget(): string | null {
    if (!this.#current) return null;
    const t = this.#current.works.reduce((m, w) => (w.target > m ? w.target : m), 0n);
    return t.toString(16).padStart(64, '0');
  }

  /**
   * A share's parent header and stripped coinbase, with the coinbase's branch in the parent block: each
   * chain whose target the header meets gets its AuxPoW. Chains whose tree the coinbase does not
   * commit to (a stale job) are skipped.
   */
  async submit(
    header: Uint8Array,
    coinbase: Uint8Array,
    coinbaseBranch: Uint8Array[],
  ): Promise<AuxBlockEvent[]> {
    const at = indexOf(coinbase, MM_MAGIC);
    if (at < 0 || at + 36 > coinbase.length) return [];
    const root = bytesToHex(reversed(coinbase.subarray(at + 4, at + 36)));
    const snap = this.#snapshots.get(root);
    if (!snap) return [];
    const hashValue = hashToBigInt(sha256d(header));
    const out: AuxBlockEvent[] = [];
    for (const w of snap.works) {
      if (hashValue > w.target) continue;
      const slot = snap.tree.slots.get(w.chainId)!;
      const auxpow = serializeAuxPow({
        coinbase,
        parentHash: sha256d(header),
        coinbaseBranch,
        coinbaseIndex: 0,
        chainBranch: merkleBranchAt(snap.tree.leaves, slot),
        chainIndex: slot,
        parentHeader: header,
      });
      const chain = this.#chains.find((c) => c.config.name === w.chain)!;
      const method = chain.config.address ? 'submitauxblock' : 'getauxblock';
      const r = await chain.node.call<unknown>(method, [w.hash, bytesToHex(auxpow)]);
      const event: AuxBlockEvent = {
        chain: w.chain,
        hash: w.hash,
        height: w.height,
        accepted: r.ok && r.value === true,
        result: r.ok ? r.value : r.error.message,
      };
      if (event.accepted) this.log.info(event, 'aux block accepted');
      else this.log.error(event, 'aux block refused');
      this.emit('auxblock', event);
      out.push(event);
    }
    // A won aux block is spent: ask for new work now.
    if (out.some((e) => e.accepted)) void this.poll();
    return out;
  }
}

function readWork(chain: string, o: Record<string, unknown>): AuxWork | null {
  if (!isHex(o.hash, 32) || !Number.isInteger(o.chainid)) return null;
  let target: bigint | null = null;
  if (typeof o.bits === 'string' && /^[0-9a-f]{8}$/i.test(o.bits))
    target = bitsToTarget(Number.parseInt(o.bits, 16));
  else {
    // Namecoin's "_target" (Dogecoin's "target") is the target's little-endian bytes in hex.
    const t = o._target ?? o.target;
    if (isHex(t, 32)) target = BigInt('0x' + bytesToHex(reversed(hexToBytes(t))));
  }
  if (target === null) return null;
  return {
    chain,
    hash: (o.hash as string).toLowerCase(),
    chainId: o.chainid as number,
    target,
    height: typeof o.height === 'number' ? o.height : 0,
  };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
