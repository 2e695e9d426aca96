// The jobmaster: turns the node's templates into jobs, pushes them to every gateway, rebuilds found
// blocks and submits them to every node, and mines empty blocks on a tip announced before the node has it.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { fail, ok, type Result } from '@farmhand/core';
import {
  addressToScript,
  bitsToTarget,
  bytesToHex,
  hexToBytes,
  type BlockTemplate,
  type Network,
} from '@farmhand/core/bitcoin';
import {
  assembleFoundBlock,
  buildJob,
  emptyBlockJob,
  type JobBuildError,
  type JobRecord,
} from '@farmhand/core/job';
import { BitcoindClient, chainToNetwork } from '../bitcoind/index.js';
import { BlockFrame, blockFrame } from '../blockmaster/wire.js';
import { AuxChains, type AuxBlockEvent } from './aux-chains.js';
import type { JobmasterConfig } from './config.js';
import { GatewayListener, type GatewayConnection } from './gateway-listener.js';
import { JobTable, type JobEntry } from './job-table.js';
import { TemplateSource, type TemplateReason } from './template-source.js';
import type {
  FoundBlockMessage,
  JmErrorCode,
  JmMessage,
  JobMessage,
  NewTipMessage,
  NodeAnswer,
} from './wire.js';

export interface NewBlockEvent {
  height: number;
  hash: string;
  jobId: string;
  user?: string;
  worker?: string;
  answers: NodeAnswer[];
  /** ms since the epoch. */
  at: number;
}

export interface BlockOutcome {
  accepted: boolean;
  hash: string;
  height: number;
  answers: NodeAnswer[];
}

export type FoundBlockInput = Omit<FoundBlockMessage, 'type'>;
export type NewTipInput = Omit<NewTipMessage, 'type'>;

/**
 * Events: 'job' (JobEntry), 'foundblock' ({hash, height, block}), 'newblock' (NewBlockEvent),
 * 'auxblock' (AuxBlockEvent, names the chain), 'ready' (network).
 */
export class Jobmaster extends EventEmitter {
  readonly #config: JobmasterConfig;
  readonly #log: Logger;
  readonly #nodes: BitcoindClient[];
  readonly #table: JobTable;
  readonly #listener: GatewayListener;
  readonly #source: TemplateSource;
  #network: Network | undefined;
  #payoutScript: Uint8Array | undefined;
  #lastKey = '';
  /** The last template from the node (no merged-mining commitment), rebuilt when aux work changes. */
  #nodeTemplate: BlockTemplate | undefined;
  #spv: { height: number; prevhash: string; timer: NodeJS.Timeout } | null = null;
  #running = false;
  readonly #aux: AuxChains | null;

  constructor(config: JobmasterConfig, log: Logger) {
    super();
    this.#config = config;
    this.#log = log;
    this.#nodes = config.bitcoind.map(
      (n) =>
        new BitcoindClient({
          url: n.url,
          timeoutMs: config.rpcTimeoutMs,
          ...(n.cookieFile ? { cookieFile: n.cookieFile } : {}),
          ...(n.name ? { name: n.name } : {}),
        }),
    );
    this.#table = new JobTable(config.jobHistory);
    this.#listener = new GatewayListener(log, {
      connect: (c) => this.#onConnect(c),
      message: (c, m, seq) => this.#onMessage(c, m, seq),
      disconnect: (c, reason) => this.#log.info({ gateway: c.name, reason }, 'gateway disconnected'),
    });
    this.#source = new TemplateSource(this.#nodes, config, log, (t, why) => this.#onTemplate(t, why));
    this.#aux = config.auxChains?.length
      ? new AuxChains(
          config.auxChains,
          { pollMs: config.pollIntervalMs, rpcTimeoutMs: config.rpcTimeoutMs, merkleNonce: 0 },
          log,
        )
      : null;
    // New aux work is committed in a fresh (not clean) job on the current template.
    // The node's template, not the job's: the job's coinbase flags already hold the old commitment.
    this.#aux?.on('work', () => {
      const cur = this.#table.current;
      if (cur && !cur.empty && this.#nodeTemplate) this.#onTemplate(this.#nodeTemplate, 'refresh');
    });
    this.#aux?.on('auxblock', (e) => this.emit('auxblock', e));
  }

  /** Listens for gateways at once; templates start once the network (and so the payout script) is known. */
  async start(): Promise<{ port: number }> {
    this.#running = true;
    const { port } = await this.#listener.listen(this.#config.listen.host, this.#config.listen.port);
    this.#log.info({ host: this.#config.listen.host, port }, 'listening for gateways');
    void this.#resolveNetwork();
    return { port };
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#source.stop();
    await this.#aux?.stop();
    if (this.#spv) clearTimeout(this.#spv.timer);
    await this.#listener.close();
    await Promise.all(this.#nodes.map((n) => n.close()));
  }

  get network(): Network | undefined {
    return this.#network;
  }

  currentJob(): JobEntry | undefined {
    return this.#table.current;
  }

  job(jobId: string): JobEntry | undefined {
    return this.#table.get(jobId);
  }

  gateways(): number {
    return this.#listener.connections;
  }

  async #resolveNetwork(): Promise<void> {
    let network = this.#config.network;
    for (let i = 0; !network && this.#running; i++) {
      const node = this.#nodes[i % this.#nodes.length]!;
      const info = await node.getBlockchainInfo();
      if (info.ok) {
        network = chainToNetwork(info.value.chain);
        if (!network)
          this.#log.fatal(
            { node: node.name },
            `the node runs chain "${info.value.chain}", which farmhand does not know`,
          );
        break;
      }
      this.#log.error({ node: node.name }, `${info.error.message}; asking again for the network`);
      await new Promise((r) => setTimeout(r, this.#config.pollIntervalMs));
    }
    if (!network || !this.#running) return;
    const payout = addressToScript(this.#config.payoutAddress, network);
    if (!payout.ok) {
      this.#log.fatal(`payout address: ${payout.error.message}; no jobs will be made`);
      return;
    }
    this.#network = network;
    this.#payoutScript = payout.value.scriptPubKey;
    this.#log.info(
      { network, payoutAddress: this.#config.payoutAddress },
      'network known; fetching templates',
    );
    this.emit('ready', network);
    this.#source.start();
    this.#aux?.start();
  }

  #onTemplate(t: BlockTemplate, reason: TemplateReason): void {
    const cur = this.#table.current;
    const key = [
      t.previousblockhash,
      t.height,
      t.bits,
      t.version,
      t.coinbasevalue,
      t.transactions.map((x) => x.txid).join(','),
    ].join(':');
    let clean: boolean;
    if (this.#spv) {
      // Mining an empty block on a tip the node has not reached: its older templates are of no use.
      if (t.height < this.#spv.height) return;
      clean = t.previousblockhash !== this.#spv.prevhash;
      this.#endSpv();
    } else {
      // A lower height is a late answer from before the new tip, unless the node says that really is its
      // tip (a node reset to another chain, e.g. a restarted regtest node).
      if (cur && !cur.empty && t.height < cur.height && t.previousblockhash !== this.#source.nodeTip) return;
      clean = !cur || t.previousblockhash !== cur.template.previousblockhash;
      if (!clean && key === this.#lastKey && reason !== 'refresh') return;
    }
    this.#lastKey = key;
    this.#nodeTemplate = t;
    this.#issue(buildJob(this.#withAux(t), this.#jobOptions(clean)), false, reason);
  }

  /** The template with the merged-mining commitment ahead of its coinbase flags. */
  #withAux(t: BlockTemplate): BlockTemplate {
    const mm = this.#aux?.commitment();
    if (!mm) return t;
    return { ...t, coinbaseaux: { ...t.coinbaseaux, flags: bytesToHex(mm) + (t.coinbaseaux?.flags ?? '') } };
  }

  #jobOptions(cleanJobs: boolean) {
    return {
      payoutScript: this.#payoutScript!,
      tag: this.#config.coinbaseTag,
      extranonceSize: this.#config.extranonceSize,
      jobId: this.#table.nextId(),
      cleanJobs,
      network: this.#network ?? 'mainnet',
    };
  }

  #issue(built: Result<JobRecord, JobBuildError>, empty: boolean, reason: string): JobEntry | undefined {
    if (!built.ok) {
      this.#log.error({ code: built.error.code }, `cannot build a job: ${built.error.message}`);
      return undefined;
    }
    const entry: JobEntry = {
      ...built.value,
      height: built.value.template.height,
      empty,
      createdAt: Date.now(),
    };
    this.#table.add(entry);
    const gateways = this.#listener.broadcast(
      jobMessage(entry, this.#config.extranonceSize, this.#aux?.easiestTarget() ?? undefined),
    );
    this.#log.info(
      {
        jobId: entry.job.jobId,
        height: entry.height,
        clean: entry.job.cleanJobs,
        txs: entry.template.transactions.length,
        empty,
        reason,
        gateways,
      },
      'new job',
    );
    this.emit('job', entry);
    return entry;
  }

  #onConnect(conn: GatewayConnection): void {
    this.#log.info({ gateway: conn.name }, 'gateway connected');
    const cur = this.#table.current;
    // A newcomer has no older jobs to keep: its first job is always clean.
    if (cur)
      conn.send(
        jobMessage(
          { ...cur, job: { ...cur.job, cleanJobs: true } },
          this.#config.extranonceSize,
          this.#aux?.easiestTarget() ?? undefined,
        ),
      );
  }

  #onMessage(conn: GatewayConnection, msg: JmMessage, seq: number): void {
    switch (msg.type) {
      case 'HELLO':
        conn.name = `${msg.name}@${conn.peer}`;
        this.#log.info({ gateway: conn.name }, 'gateway introduced itself');
        return;
      case 'FOUND_BLOCK': {
        const { type: _type, ...found } = msg;
        // An aux block this share won is told to its gateway alone, which records it under the chain's name.
        const auxWon = (events: AuxBlockEvent[]) => {
          for (const e of events)
            if (e.accepted)
              conn.send(
                {
                  type: 'NEW_BLOCK',
                  chain: e.chain,
                  height: e.height,
                  hash: e.hash,
                  jobId: msg.jobId,
                  ...(msg.user !== undefined ? { user: msg.user } : {}),
                  ...(msg.worker !== undefined ? { worker: msg.worker } : {}),
                  at: Date.now(),
                },
                seq,
              );
        };
        void this.submitFound(found, auxWon).then((r) => {
          if (r.ok) conn.send({ type: 'BLOCK_RESULT', jobId: msg.jobId, ...r.value }, seq);
          else
            conn.send({ type: 'ERROR', code: r.error.code, message: r.error.message, jobId: msg.jobId }, seq);
        });
        return;
      }
      case 'NEW_TIP': {
        const { type: _type, ...tip } = msg;
        this.newTip(tip);
        return;
      }
      case 'PING':
        conn.send({ type: 'PONG' }, seq);
        return;
      case 'BLOCKS':
        conn.wantsBlocks = true;
        this.#log.info({ gateway: conn.name }, 'a blockmaster subscribed to found blocks');
        return;
      default:
        this.#log.warn({ gateway: conn.name, type: msg.type }, 'unexpected message from a gateway; ignored');
    }
  }

  /**
   * Rebuilds the block of a winning share and submits it to every node in parallel; the share's AuxPoW
   * goes to each aux chain whose target it meets, and `onAux` hears their answers.
   */
  async submitFound(
    found: FoundBlockInput,
    onAux?: (events: AuxBlockEvent[]) => void,
  ): Promise<Result<BlockOutcome, JmErrorCode>> {
    const entry = this.#table.get(found.jobId);
    if (!entry) {
      this.#log.warn({ jobId: found.jobId, user: found.user }, 'found block on an unknown job; refused');
      return fail(
        'UNKNOWN_JOB',
        `job ${found.jobId} is not known (too old, or from before a jobmaster restart)`,
      );
    }
    const built = assembleFoundBlock(entry, found.extranonce, found.ntime, found.nonce, found.version);
    if (!built.ok) return fail('BAD_MESSAGE', built.error.message);
    const { hash, meetsTarget, block } = built.value;
    // A share may win aux blocks even when it misses the parent's target.
    if (this.#aux) {
      const aux = this.#aux.submit(
        built.value.header,
        built.value.coinbase,
        entry.job.merkleBranch.map(hexToBytes),
      );
      if (onAux) void aux.then(onAux);
    }
    const who = { jobId: found.jobId, height: entry.height, hash, user: found.user, worker: found.worker };
    if (found.hash && found.hash !== hash)
      this.#log.warn(
        { ...who, gatewayHash: found.hash },
        'the rebuilt block hash differs from the gateway’s',
      );
    if (!meetsTarget) {
      // Gateways report shares that meet the easiest aux target too: those are expected here.
      const easiest = this.#aux?.easiestTarget();
      if (easiest && BigInt('0x' + hash) <= BigInt('0x' + easiest))
        this.#log.debug(who, 'a share for the aux chains only; not a parent block');
      else this.#log.error(who, 'a found block does not meet the network target once rebuilt; not submitted');
      return fail(
        'NOT_A_BLOCK',
        `block ${hash} rebuilt from job ${found.jobId} does not meet the network target`,
      );
    }
    // Blockmasters get the block first: they relay it while the nodes are still validating it.
    const subscribers = this.#listener.blockSubscribers();
    if (subscribers.length) {
      const frame = blockFrame(BlockFrame.SUBMIT_BLOCK, 0, block);
      for (const c of subscribers) c.sendRaw(frame);
    }
    this.emit('foundblock', { hash, height: entry.height, block });
    this.#log.info(who, `submitting block to ${this.#nodes.length} node(s)`);
    const hex = bytesToHex(block);
    const answers = await Promise.all(
      this.#nodes.map(async (node): Promise<NodeAnswer> => {
        const r = await node.submitBlock(hex, this.#config.rpcTimeoutMs * 3);
        if (!r.ok) {
          this.#log.error({ ...who, node: node.name }, `submitblock failed: ${r.error.message}`);
          return { node: node.name, result: null, error: r.error.message };
        }
        if (r.value === null) this.#log.info({ ...who, node: node.name }, 'block accepted');
        else if (r.value === 'duplicate' || r.value === 'inconclusive')
          this.#log.warn({ ...who, node: node.name, result: r.value }, `block: ${r.value}`);
        else this.#log.error({ ...who, node: node.name, result: r.value }, `block rejected: ${r.value}`);
        return { node: node.name, result: r.value };
      }),
    );
    const accepted = answers.some((a) => a.result === null && a.error === undefined);
    if (accepted) {
      const event: NewBlockEvent = {
        height: entry.height,
        hash,
        jobId: found.jobId,
        ...(found.user ? { user: found.user } : {}),
        ...(found.worker ? { worker: found.worker } : {}),
        answers,
        at: Date.now(),
      };
      this.emit('newblock', event);
      const { answers: _a, ...wire } = event;
      this.#listener.broadcast({ type: 'NEW_BLOCK', ...wire });
    } else {
      this.#log.fatal(who, 'found block was not accepted by any node');
    }
    // The tip moved (or should have): ask for the next template now rather than at the next poll.
    if (this.#running) void this.#source.fetchNow('request');
    return ok({ accepted, hash, height: entry.height, answers });
  }

  /** A new tip seen elsewhere: mine an empty block on it at once, for at most emptyBlockMs. */
  newTip(tip: NewTipInput): JobEntry | undefined {
    const cur = this.#table.current;
    const height = tip.height + 1;
    if (!cur || !this.#payoutScript) {
      this.#log.info({ height: tip.height }, 'new tip notice before the first job; ignored');
      return undefined;
    }
    if (height <= cur.height) return undefined; // not ahead of what we already mine
    if (this.#spv && this.#spv.height === height && this.#spv.prevhash === tip.prevhash) return undefined;
    if (this.#spv) clearTimeout(this.#spv.timer);
    const options = this.#jobOptions(true);
    let built = emptyBlockJob(
      {
        height,
        prevhash: tip.prevhash,
        bits: tip.bits ?? cur.template.bits,
        curtime: tip.curtime,
        version: cur.template.version,
      },
      options,
    );
    if (built.ok && this.#aux) built = buildJob(this.#withAux(built.value.template), options);
    const timer = setTimeout(() => {
      this.#log.warn(
        { height },
        `the node did not reach height ${height} within ${this.#config.emptyBlockMs} ms; leaving empty-block mining`,
      );
      this.#endSpv();
      void this.#source.fetchNow('request');
    }, this.#config.emptyBlockMs);
    this.#spv = { height, prevhash: tip.prevhash, timer };
    this.#lastKey = '';
    return this.#issue(built, true, 'new-tip');
  }

  #endSpv(): void {
    if (this.#spv) clearTimeout(this.#spv.timer);
    this.#spv = null;
  }
}

export function jobMessage(entry: JobEntry, extranonceSize: number, auxTarget?: string): JobMessage {
  return {
    type: 'JOB',
    job: entry.job,
    height: entry.height,
    prevhash: entry.template.previousblockhash,
    target: bitsToTarget(Number.parseInt(entry.template.bits, 16) >>> 0)
      .toString(16)
      .padStart(64, '0'),
    extranonceSize,
    coinbasevalue: entry.template.coinbasevalue,
    empty: entry.empty,
    createdAt: entry.createdAt,
    ...(auxTarget ? { auxTarget } : {}),
  };
}
