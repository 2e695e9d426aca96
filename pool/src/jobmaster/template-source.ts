// Where templates come from: a getblocktemplate long-poll (answered by the node on a new tip or a changed
// mempool) and, underneath it, a getbestblockhash poll that fetches a template whenever the node's tip
// moves or the current one is older than the refresh interval. A node that errors or hangs is logged,
// and the next node (if any) is asked; nothing here throws.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { BlockTemplate } from '@farmhand/core/bitcoin';
import type { BitcoindClient } from '../bitcoind/index.js';

export interface TemplateSourceOptions {
  pollIntervalMs: number;
  longPoll: boolean;
  longPollTimeoutMs: number;
  rpcTimeoutMs: number;
  refreshMs: number;
}

export type TemplateReason = 'start' | 'longpoll' | 'tip' | 'refresh' | 'request';

export class TemplateSource {
  readonly #nodes: readonly BitcoindClient[];
  readonly #opts: TemplateSourceOptions;
  readonly #log: Logger;
  readonly #deliver: (t: BlockTemplate, reason: TemplateReason) => void;
  readonly #stop = new AbortController();
  #running = false;
  /** Index of the node templates come from; moves on when it fails. */
  #active = 0;
  #lastPrev: string | undefined;
  #nodeTip: string | undefined;
  #lastAt = 0;
  #fetching: Promise<void> | null = null;
  #fetchAgain: TemplateReason | null = null;
  /** Per node and call kind: whether the last attempt failed (so recovery is logged once). */
  readonly #failing = new Set<string>();

  constructor(
    nodes: readonly BitcoindClient[],
    opts: TemplateSourceOptions,
    log: Logger,
    deliver: (t: BlockTemplate, reason: TemplateReason) => void,
  ) {
    if (nodes.length === 0) throw new RangeError('TemplateSource needs at least one node');
    this.#nodes = nodes;
    this.#opts = opts;
    this.#log = log;
    this.#deliver = deliver;
  }

  start(): void {
    this.#running = true;
    void this.#pollLoop();
    if (this.#opts.longPoll) void this.#longPollLoop();
  }

  /** The tip the node last reported to the poll (getbestblockhash). */
  get nodeTip(): string | undefined {
    return this.#nodeTip;
  }

  stop(): void {
    this.#running = false;
    this.#stop.abort();
  }

  /** Fetches a template now (after a found block, an expired empty-block job, ...). Calls coalesce. */
  fetchNow(reason: TemplateReason = 'request'): Promise<void> {
    if (this.#fetching) {
      this.#fetchAgain = reason;
      return this.#fetching;
    }
    this.#fetching = (async () => {
      let next: TemplateReason | null = reason;
      while (next && this.#running) {
        this.#fetchAgain = null;
        await this.#fetchOnce(next);
        next = this.#fetchAgain;
      }
      this.#fetching = null;
    })();
    return this.#fetching;
  }

  async #fetchOnce(reason: TemplateReason): Promise<void> {
    for (let tries = 0; tries < this.#nodes.length && this.#running; tries++) {
      const node = this.#nodes[this.#active]!;
      const r = await node.getBlockTemplate(undefined, this.#opts.rpcTimeoutMs);
      if (!this.#running) return;
      if (r.ok) {
        this.#recovered(node, 'getblocktemplate');
        this.#accept(r.value, reason);
        return;
      }
      this.#failed(node, 'getblocktemplate', r.error.message);
      this.#active = (this.#active + 1) % this.#nodes.length;
    }
  }

  #accept(t: BlockTemplate, reason: TemplateReason): void {
    this.#lastPrev = t.previousblockhash;
    this.#lastAt = Date.now();
    this.#deliver(t, reason);
  }

  async #pollLoop(): Promise<void> {
    await this.fetchNow('start');
    while (this.#running) {
      if (!(await this.#sleep(this.#opts.pollIntervalMs))) return;
      const node = this.#nodes[this.#active]!;
      const tip = await node.getBestBlockHash();
      if (!this.#running) return;
      if (!tip.ok) {
        this.#failed(node, 'getbestblockhash', tip.error.message);
        this.#active = (this.#active + 1) % this.#nodes.length;
        continue;
      }
      this.#recovered(node, 'getbestblockhash');
      this.#nodeTip = tip.value;
      if (tip.value !== this.#lastPrev) await this.fetchNow('tip');
      else if (Date.now() - this.#lastAt >= this.#opts.refreshMs) await this.fetchNow('refresh');
    }
  }

  async #longPollLoop(): Promise<void> {
    let longpollid: string | undefined;
    let backoff = this.#opts.pollIntervalMs;
    while (this.#running) {
      const node = this.#nodes[this.#active]!;
      const r = await node.getBlockTemplate(
        longpollid,
        longpollid ? this.#opts.longPollTimeoutMs : this.#opts.rpcTimeoutMs,
      );
      if (!this.#running) return;
      if (r.ok) {
        this.#recovered(node, 'getblocktemplate long-poll');
        backoff = this.#opts.pollIntervalMs;
        if (!r.value.longpollid) {
          this.#log.info({ node: node.name }, 'the node offers no longpollid: long-poll off, polling only');
          this.#accept(r.value, 'longpoll');
          return;
        }
        longpollid = r.value.longpollid;
        this.#accept(r.value, 'longpoll');
        continue;
      }
      if (r.error.code === 'RPC_TIMEOUT' && longpollid) {
        // A held long-poll that ran out of time: normal on a quiet chain (the poll still watches the tip).
        this.#log.debug({ node: node.name }, 'long-poll held past its timeout; reissuing');
        continue;
      }
      this.#failed(node, 'getblocktemplate long-poll', `${r.error.message}; retrying in ${backoff} ms`);
      longpollid = undefined;
      if (!(await this.#sleep(backoff))) return;
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  #failed(node: BitcoindClient, call: string, message: string): void {
    this.#failing.add(`${node.name} ${call}`);
    this.#log.error({ node: node.name, call }, message);
  }

  #recovered(node: BitcoindClient, call: string): void {
    if (this.#failing.delete(`${node.name} ${call}`))
      this.#log.info({ node: node.name, call }, `bitcoind ${node.name} ${call} answers again`);
  }

  /** false when stopped while sleeping. */
  async #sleep(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#stop.signal });
      return this.#running;
    } catch {
      return false;
    }
  }
}
