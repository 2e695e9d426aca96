import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ShareAck, ShareRecord } from './share-record.js';
import type { Upstream, UpstreamState, UpstreamWork } from './upstream.js';

// Upstreams in priority order. Every enabled upstream stays connected (its connection is its health
// check), and the active one is the first that is up. When the active one goes down the next one
// takes over at once; a higher-priority upstream takes back over only after it has been up for
// `failbackAfterMs` without interruption, so a flapping gateway does not bounce the farm.
//
// Events: 'work' (the active upstream's UpstreamWork, with `upstream` set to its name), 'up' (name:
// a new active upstream), 'down' (reason: no upstream left), 'replay' (name: an upstream came up or
// became active; resubmit the store's pending records now), 'ack' (ShareAck[], from any upstream),
// 'switch' ({ from, to, reason }).
//
// A share can only be credited by the upstream whose work it was mined on, so submitShares sends
// each record to the upstream its `upstream` field names (the active one when absent). Records for
// an upstream that is down stay in the store until it is back ('replay' then fires for it).

export interface UpstreamSetOptions {
  readonly logger: Logger;
  /** How long a recovered higher-priority upstream must stay up before it becomes active again. */
  readonly failbackAfterMs?: number;
}

export interface UpstreamInfo {
  readonly name: string;
  readonly kind: Upstream['kind'];
  readonly priority: number;
  readonly enabled: boolean;
  readonly active: boolean;
  readonly state: UpstreamState;
}

interface Entry {
  readonly upstream: Upstream;
  enabled: boolean;
  upSince: number | null;
  work: UpstreamWork | null;
}

export class UpstreamSet extends EventEmitter {
  readonly #entries: Entry[];
  readonly #log: Logger;
  readonly #failbackMs: number;
  #active: Entry | null = null;
  #pinned: Entry | null = null;
  #failback: NodeJS.Timeout | null = null;
  #started = false;

  constructor(upstreams: readonly Upstream[], options: UpstreamSetOptions) {
    super();
    const names = new Set(upstreams.map((u) => u.name));
    if (names.size !== upstreams.length) throw new RangeError('upstream names must be unique');
    this.#log = options.logger;
    this.#failbackMs = options.failbackAfterMs ?? 30_000;
    this.#entries = upstreams.map((upstream) => ({ upstream, enabled: true, upSince: null, work: null }));
    for (const e of this.#entries) this.#wire(e);
  }

  #wire(e: Entry): void {
    const u = e.upstream;
    u.on('up', () => {
      e.upSince = Date.now();
      this.#log.info({ upstream: u.name }, 'upstream up');
      this.#choose('up');
      if (this.#active !== e && e.enabled) this.emit('replay', u.name);
    });
    u.on('down', (reason: string) => {
      e.upSince = null;
      e.work = null;
      this.#log.warn({ upstream: u.name, reason }, 'upstream down');
      if (this.#active === e) this.#choose(`${u.name} down: ${reason}`);
      else this.#choose('down');
    });
    u.on('work', (w: UpstreamWork) => {
      e.work = { ...w, upstream: u.name };
      if (this.#active === e) this.emit('work', e.work);
    });
    u.on('ack', (acks: ShareAck[]) => this.emit('ack', acks));
  }

  start(): void {
    this.#started = true;
    for (const e of this.#entries) if (e.enabled) e.upstream.connect();
  }

  async close(): Promise<void> {
    this.#started = false;
    if (this.#failback) clearTimeout(this.#failback);
    await Promise.all(this.#entries.map((e) => e.upstream.close()));
  }

  get active(): Upstream | null {
    return this.#active?.upstream ?? null;
  }

  list(): UpstreamInfo[] {
    return this.#entries.map((e, priority) => ({
      name: e.upstream.name,
      kind: e.upstream.kind,
      priority,
      enabled: e.enabled,
      active: this.#active === e,
      state: e.upstream.state(),
    }));
  }

  /**
   * Sends each record to the upstream it was mined for, when that one is up and enabled (records
   * without `upstream`, or naming one no longer configured, go to the active upstream). Records that
   * cannot go now are dropped here and stay in the store for the next 'replay'.
   */
  submitShares(records: readonly ShareRecord[]): void {
    const byTarget = new Map<Entry, ShareRecord[]>();
    for (const r of records) {
      const named = r.upstream === undefined ? undefined : this.#find(r.upstream);
      const target = named ?? this.#active;
      if (!target || !target.enabled || target.upSince === null) continue;
      let list = byTarget.get(target);
      if (!list) byTarget.set(target, (list = []));
      list.push(r);
    }
    for (const [e, list] of byTarget) e.upstream.submitShares(list);
  }

  enable(name: string): boolean {
    const e = this.#find(name);
    if (!e) return false;
    e.enabled = true;
    if (this.#started) e.upstream.connect();
    this.#choose(`${name} enabled`);
    return true;
  }

  async disable(name: string): Promise<boolean> {
    const e = this.#find(name);
    if (!e) return false;
    e.enabled = false;
    if (this.#pinned === e) this.#pinned = null;
    await e.upstream.close();
    e.upSince = null;
    e.work = null;
    this.#choose(`${name} disabled`);
    return true;
  }

  /** Makes `name` active now and keeps it active while it is up (failover still applies when it goes down). */
  switchTo(name: string): boolean {
    const e = this.#find(name);
    if (!e || !e.enabled || e.upSince === null) return false;
    this.#pinned = e;
    this.#choose(`switched to ${name} by request`);
    return true;
  }

  #find(name: string): Entry | undefined {
    return this.#entries.find((e) => e.upstream.name === name);
  }

  /** Re-evaluates which upstream is active. */
  #choose(reason: string): void {
    const healthy = this.#entries.filter((e) => e.enabled && e.upSince !== null);
    if (this.#pinned && !healthy.includes(this.#pinned)) this.#pinned = null;
    const best = healthy[0] ?? null;
    const current = this.#active && healthy.includes(this.#active) ? this.#active : null;
    let next: Entry | null;
    if (this.#pinned) next = this.#pinned;
    else if (!current) next = best;
    else if (best && best !== current && this.#entries.indexOf(best) < this.#entries.indexOf(current)) {
      // A better upstream is up: take it only once it has been stable for the fail-back delay.
      const stableFor = Date.now() - best.upSince!;
      next = stableFor >= this.#failbackMs ? best : current;
      if (next === current) this.#scheduleFailback(this.#failbackMs - stableFor);
    } else next = current;
    if (next === this.#active) return;
    const from = this.#active?.upstream.name ?? null;
    this.#active = next;
    if (!next) {
      this.#log.error({ from, reason }, 'no upstream available');
      this.emit('switch', { from, to: null, reason });
      this.emit('down', reason);
      return;
    }
    this.#log.warn({ from, to: next.upstream.name, reason }, 'active upstream changed');
    this.emit('switch', { from, to: next.upstream.name, reason });
    this.emit('up', next.upstream.name);
    this.emit('replay', next.upstream.name);
    if (next.work) this.emit('work', next.work);
  }

  #scheduleFailback(ms: number): void {
    if (this.#failback) clearTimeout(this.#failback);
    this.#failback = setTimeout(
      () => {
        this.#failback = null;
        this.#choose('fail-back to a higher-priority upstream');
      },
      Math.max(0, ms),
    );
    this.#failback.unref();
  }
}
