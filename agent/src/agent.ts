import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_VARDIFF } from '@farmhand/core/vardiff';
import type { AgentConfig } from './config/index.js';
import {
  StratumServer,
  type DisconnectEvent,
  type AuthorizeEvent,
  type ShareEvent,
} from './downstream/index.js';
import { GroupCommit, ShareStore } from './store/index.js';
import {
  StratumUpstream,
  UplinkClient,
  UpstreamSet,
  parseUpstreamUrl,
  type ShareAck,
  type Upstream,
  type UpstreamWork,
} from './upstream/index.js';
import { FarmStats } from './stats/index.js';
import { DiscoveryService } from './discovery/discovery-service.js';

// The mineragent: the farm's miners on one side (StratumServer), the upstreams on the other
// (UpstreamSet), SQLite in between so that nothing acknowledged to a miner is lost.

export class AgentStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REPLAY_PAGE = 2000;

export class Agent {
  readonly startedAt = Date.now();
  readonly stats = new FarmStats(Date.now());
  work: UpstreamWork | null = null;
  replayed = 0;
  replaying = false;
  private graceTimer: NodeJS.Timeout | null = null;
  private rollTimer: NodeJS.Timeout | null = null;
  private stratumPort = 0;
  /** Inventory, scans, passive listeners and device writes (docs/discovery.md). */
  discovery!: DiscoveryService;

  private constructor(
    readonly config: AgentConfig,
    readonly log: Logger,
    readonly store: ShareStore,
    readonly server: StratumServer,
    readonly upstreams: UpstreamSet,
    readonly upstreamList: readonly Upstream[],
    private readonly commit: GroupCommit,
  ) {}

  /** Opens the store, builds the upstreams and the server, and starts serving. */
  static async start(config: AgentConfig, log: Logger): Promise<Agent> {
    mkdirSync(config.dataDir, { recursive: true });
    const opened = ShareStore.open(join(config.dataDir, 'agent.sqlite'), {
      maxPendingShares: config.buffer.maxShares,
    });
    if (!opened.ok) throw new AgentStartError(opened.error.code, opened.error.message);
    const store = opened.value;

    const upstreams: Upstream[] = [];
    const names = new Set<string>();
    for (const entry of config.upstreams) {
      const url = typeof entry === 'string' ? entry : entry.url;
      const parsed = parseUpstreamUrl(url);
      if (!parsed.ok) throw new AgentStartError(parsed.error.code, parsed.error.message);
      let name =
        (typeof entry === 'string' ? undefined : entry.name) ?? `${parsed.value.host}:${parsed.value.port}`;
      for (let i = 2; names.has(name); i++) name = `${name}#${i}`;
      names.add(name);
      const ulog = log.child({ upstream: name });
      upstreams.push(
        parsed.value.kind === 'stratum'
          ? new StratumUpstream({ name, url: parsed.value, logger: ulog })
          : new UplinkClient({ name, url: parsed.value, logger: ulog }),
      );
    }
    const set = new UpstreamSet(upstreams, { logger: log.child({ part: 'upstreams' }) });

    const s = config.stratum;
    const server = new StratumServer({
      host: s.host,
      port: s.port,
      startDifficulty: s.startDifficulty,
      vardiff: {
        ...DEFAULT_VARDIFF,
        targetShareSeconds: s.targetShareSeconds,
        retargetSeconds: s.retargetSeconds,
        minDifficulty: s.minDifficulty,
        maxDifficulty: s.maxDifficulty,
      },
      versionMask: Number.parseInt(s.versionMask, 16),
      maxLineBytes: s.maxLineBytes,
      maxConnectionsPerIp: s.maxConnectionsPerIp,
      idleTimeoutMs: s.idleTimeoutSeconds * 1000,
      logger: log.child({ part: 'stratum' }),
    });

    const agent = new Agent(config, log, store, server, set, upstreams, new GroupCommit(store));
    agent.wire();
    agent.stratumPort = (await server.listen()).port;
    const found = DiscoveryService.open({
      config: config.discovery,
      inventory: store.inventory,
      dbPath: join(config.dataDir, 'agent.sqlite'),
      stratumPort: agent.stratumPort,
      stratumHost: s.host,
      controlPort: config.control.port,
      log: log.child({ part: 'discovery' }),
    });
    if (!found.ok) {
      await server.close();
      store.close();
      throw new AgentStartError(found.error.code, found.error.message);
    }
    agent.discovery = found.value;
    await agent.discovery.start();
    set.start();
    // With no upstream configured the miners wait on a paused socket; say so once, clearly.
    if (upstreams.length === 0)
      log.warn('no upstream configured: miners can connect but get no work (use --upstream)');
    return agent;
  }

  get port(): number {
    return this.stratumPort;
  }

  private wire(): void {
    const { server, upstreams, store, log } = this;

    upstreams.on('work', (w: UpstreamWork) => {
      this.work = w;
      this.clearGrace();
      server.setWork({ job: w.job, extranonce1: w.extranonce1, extranonce2Size: w.extranonce2Size });
      if (server.suspended) server.resume();
    });
    upstreams.on('down', (reason: string) => {
      server.suspend(reason);
      store.events.add({ at: Date.now(), kind: 'upstream-down', subject: 'all', detail: reason });
      this.startGrace();
    });
    upstreams.on('switch', (e: { from: string | null; to: string | null; reason: string }) => {
      store.events.add({
        at: Date.now(),
        kind: 'upstream-switch',
        subject: e.to ?? 'none',
        detail: `from ${e.from ?? 'none'}: ${e.reason}`,
      });
    });
    upstreams.on('replay', () => void this.replay());
    upstreams.on('ack', (acks: ShareAck[]) => this.onAcks(acks));

    // Durable before the miner hears "accepted": a refusal (buffer full) becomes the miner's error.
    server.setShareSink(async (e) => {
      const record = this.record(e);
      const r = await this.commit.append(record);
      if (!r.ok) throw new Error(r.error.message);
      upstreams.submitShares([{ ...record, seq: r.value }]);
    });
    server.on('share', (e: ShareEvent) => {
      const closed = this.stats.add({
        worker: `${e.account}.${e.worker}`,
        miner: `${e.account}.${e.worker}`,
        accepted: e.verdict.kind === 'accepted',
        difficulty: e.difficulty,
        at: e.at,
        ...(e.verdict.kind === 'rejected' ? { reason: e.verdict.reason } : {}),
      });
      if (closed.length) this.saveMinutes(closed);
      if (e.verdict.kind === 'accepted' && e.verdict.block) {
        log.warn({ worker: `${e.account}.${e.worker}` }, 'BLOCK FOUND by a miner on this farm');
        store.events.add({ at: e.at, kind: 'block', subject: `${e.account}.${e.worker}` });
      }
    });
    server.on('authorize', (e: AuthorizeEvent) => {
      const name = `${e.account}.${e.worker}`;
      store.events.add({ at: Date.now(), kind: 'miner-authorized', subject: name, detail: e.peer });
      for (const u of this.upstreamList)
        if (u instanceof UplinkClient) u.sendEvent({ kind: 'authorize', name, peer: e.peer });
    });
    server.on('disconnect', (e: DisconnectEvent) => {
      if (!e.account) return;
      const name = `${e.account}.${e.worker}`;
      store.events.add({
        at: Date.now(),
        kind: 'miner-disconnected',
        subject: name,
        detail: `${e.code}: ${e.reason}`,
      });
      for (const u of this.upstreamList)
        if (u instanceof UplinkClient) u.sendEvent({ kind: 'disconnect', name, peer: e.peer });
    });

    this.rollTimer = setInterval(() => {
      const closed = this.stats.roll(Date.now());
      if (closed.length) this.saveMinutes(closed);
      store.prune();
    }, 5_000);
    this.rollTimer.unref();
  }

  private record(e: ShareEvent) {
    const w = this.work;
    // The miner's extranonce1 is the upstream's followed by the agent's counter; upstream sees counter ‖ en2.
    const counter =
      w && e.extranonce1.startsWith(w.extranonce1) ? e.extranonce1.slice(w.extranonce1.length) : '';
    const v = e.verdict;
    return {
      account: e.account,
      worker: e.worker,
      jobId: e.jobId,
      extranonce2: counter + e.extranonce2,
      ntime: e.ntime,
      nonce: e.nonce,
      ...(e.versionBits !== undefined ? { versionBits: e.versionBits } : {}),
      difficulty: e.difficulty,
      ...(v.kind === 'accepted' ? { shareDifficulty: v.shareDifficulty } : {}),
      block: v.kind === 'accepted' && v.block,
      at: e.at,
      ...(w?.upstream !== undefined ? { upstream: w.upstream } : {}),
    };
  }

  private onAcks(acks: ShareAck[]): void {
    const rejected = acks.filter((a) => !a.accepted && a.reason !== 'below-upstream-target');
    for (const a of rejected.slice(0, 20)) {
      this.store.events.add({
        at: Date.now(),
        kind: 'upstream-reject',
        subject: String(a.seq),
        detail: `${a.reason ?? ''} ${a.message ?? ''}`.trim(),
      });
    }
    this.store.ack(acks.map((a) => a.seq));
  }

  /** Sends every un-acknowledged share again, oldest first, in pages. */
  private async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      let after = 0;
      for (;;) {
        const page = this.store.pending(REPLAY_PAGE, after);
        if (page.length === 0) break;
        this.upstreams.submitShares(page);
        this.replayed += page.length;
        after = page[page.length - 1]!.seq;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.replaying = false;
    }
  }

  private saveMinutes(closed: ReturnType<FarmStats['roll']>): void {
    this.store.history.recordMinutes(
      closed.map((t) => ({
        minute: t.minute,
        scope: t.scope,
        key: t.key,
        accepted: t.accepted,
        acceptedDifficulty: t.acceptedDifficulty,
        rejected: t.rejectedByReason,
      })),
    );
  }

  /** Miners keep the last job while upstreams fail over; after the grace time they go to their backup pools. */
  private startGrace(): void {
    if (this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      this.log.error(
        { graceSeconds: this.config.upstreamGraceSeconds },
        'no upstream came back: releasing miners to their backup pools',
      );
      this.server.disconnectAll('no upstream available');
    }, this.config.upstreamGraceSeconds * 1000);
    this.graceTimer.unref();
  }

  private clearGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  async stop(): Promise<void> {
    this.clearGrace();
    if (this.rollTimer) clearInterval(this.rollTimer);
    await this.discovery.stop();
    await this.server.close();
    await this.upstreams.close();
    // Sockets report their close after close() resolves: nothing may reach the store once it is shut.
    this.server.removeAllListeners();
    this.upstreams.removeAllListeners();
    const closed = this.stats.roll(Date.now() + 60_000);
    if (closed.length) this.saveMinutes(closed);
    this.store.close();
  }
}
