import { hashDifficulty } from '@farmhand/core/bitcoin';
import type { ShareJob } from '@farmhand/core/share';
import { hex32, type SubmitFields } from '@farmhand/core/stratum';
import { garbageLine, type Fault } from './faults.js';
import type { Hasher, SearchTicket } from './hasher.js';
import type { MakeProfile } from './makes.js';
import { MinerStats, newPoolCounters, recordOutcome } from './miner-stats.js';
import {
  addPoolEntry,
  failoverOrder,
  poolEntries,
  promotePool,
  removePoolEntry,
  type PoolEntry,
} from './pool-list.js';
import { poolAddress, type PoolConfig } from './pool-url.js';
import { StratumLink } from './stratum-link.js';
import type { TimerHandle, TimerWheel } from './timer-wheel.js';
import { WorkCursor } from './work-cursor.js';

// One simulated miner: its configured pools (priority order, failover), one Stratum link at a
// time, and a share clock. Share events arrive as a Poisson process at rate H / (D · 2^32); each
// event runs a real nonce search on the real header for a hash that meets the share target.

const TWO32 = 4294967296;

export type { PoolEntry } from './pool-list.js';

export interface SimMinerOptions {
  readonly name: string;
  readonly profile: MakeProfile;
  readonly worker: string;
  readonly pools: readonly PoolConfig[];
  /** Simulated hashes per second. */
  readonly hashrate: number;
  readonly host: string;
  readonly mac: string;
  readonly seed: number;
  readonly wheel: TimerWheel;
  readonly hasher: Hasher;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  /** Hashes a single share search may spend before giving up (bounds CPU at high difficulty). */
  readonly maxSearchHashes: number;
  /** How long "restart to apply" takes after a pool change through a device API. */
  readonly restartMs: number;
  readonly suggestDifficulty: number;
}

export interface MinerSnapshot {
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectCodes: Readonly<Record<number, number>>;
  /** URL of the pool the miner is mining on, or null while disconnected. */
  readonly currentPool: string | null;
  readonly difficulty: number;
  /** Hashes per second over the last 5 minutes, from accepted work. */
  readonly hashrate: number;
  readonly searchesGivenUp: number;
}

export interface PowerHooks {
  down(): void;
  up(): void;
}

export class SimMiner {
  readonly name: string;
  readonly make: MakeProfile['make'];
  readonly worker: string;
  readonly profile: MakeProfile;
  readonly host: string;
  readonly mac: string;
  readonly seed: number;
  pools: PoolEntry[];
  stats: MinerStats;
  fault: Fault = { kind: 'none' };
  power: PowerHooks | undefined;
  /** Pools written through an API that applies them on the next boot (Avalon ascset setpool). */
  pendingPools: PoolConfig[] | undefined;
  bootedAt = Date.now();

  #link: StratumLink | undefined;
  #activePool = -1;
  #tryAt = 0;
  #backoff: number;
  #job: ShareJob | undefined;
  #jobGen = 0;
  #retiredJobs: string[] = [];
  readonly #cursor = new WorkCursor();
  #shareTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #search: SearchTicket | undefined;
  #running = false;
  #garbageN = 0;

  constructor(private readonly o: SimMinerOptions) {
    this.name = o.name;
    this.make = o.profile.make;
    this.worker = o.worker;
    this.profile = o.profile;
    this.host = o.host;
    this.mac = o.mac;
    this.seed = o.seed;
    this.pools = poolEntries(o.pools);
    this.stats = new MinerStats();
    this.#backoff = o.backoffMinMs;
  }

  get running(): boolean {
    return this.#running;
  }

  get activePool(): number {
    return this.#link?.ready ? this.#activePool : -1;
  }

  get difficulty(): number {
    return this.#link?.ready ? this.#link.difficulty : 0;
  }

  /** How long a restart to apply new settings keeps the miner away. */
  get restartDelay(): number {
    return this.o.restartMs;
  }

  get hashrateSetting(): number {
    return this.o.hashrate;
  }

  get snapshot(): MinerSnapshot {
    const active = this.activePool;
    return {
      accepted: this.stats.accepted,
      rejected: this.stats.rejected,
      rejectCodes: Object.fromEntries(this.stats.rejectCodes),
      currentPool: active >= 0 ? (this.pools[active]?.url ?? null) : null,
      difficulty: this.difficulty,
      hashrate: this.stats.hashrate(300_000),
      searchesGivenUp: this.stats.searchesGivenUp,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.bootedAt = Date.now();
    this.#tryAt = 0;
    this.#backoff = this.o.backoffMinMs;
    this.#connectNext();
  }

  stop(): void {
    this.#running = false;
    this.o.wheel.cancel(this.#retryTimer);
    this.#stopWork();
    this.#link?.close('stopped');
    this.#link = undefined;
  }

  setFault(fault: Fault): void {
    const was = this.fault;
    switch (fault.kind) {
      case 'disconnect':
        this.#link?.close('fault: disconnect');
        return;
      case 'reboot':
        this.reboot(fault.downMs);
        return;
      default:
        break;
    }
    this.fault = fault;
    if (was.kind === 'stall' && fault.kind !== 'stall') {
      this.#link?.resume();
      this.#scheduleShare();
    }
    if (fault.kind === 'stall') {
      this.#link?.pause();
      this.#stopWork();
    }
    if (fault.kind === 'garbage')
      for (let i = 0; i < 3; i++) this.#link?.writeRaw(garbageLine(this.#garbageN++));
  }

  /** Power-cycle: everything goes away and comes back after downMs with counters reset. */
  reboot(downMs: number): void {
    this.stop();
    this.power?.down();
    this.fault = { kind: 'none' };
    this.o.wheel.after(downMs, () => {
      this.stats = new MinerStats();
      if (this.pendingPools) {
        this.pools = poolEntries(this.pendingPools);
        this.pendingPools = undefined;
      }
      for (const p of this.pools) p.counters = newPoolCounters();
      this.power?.up();
      this.start();
    });
  }

  /** Pools changed through a device API: firmware restarts mining to apply. */
  applyPools(pools: readonly PoolConfig[], restartMs = this.o.restartMs): void {
    this.pools = poolEntries(pools);
    this.restartMining(restartMs);
  }

  restartMining(delayMs = this.o.restartMs): void {
    this.stop();
    this.#retryTimer = this.o.wheel.after(delayMs, () => this.start());
  }

  /** cgminer addpool: appended last in priority; returns its POOL number. */
  addPool(p: PoolConfig): number {
    const index = addPoolEntry(this.pools, p);
    if (!this.#link && this.#running) this.#reconnectFromTop();
    return index;
  }

  /** cgminer switchpool: the pool becomes priority 0 (the others keep their order) and mining moves now. */
  switchPool(index: number): void {
    if (promotePool(this.pools, index)) this.#reconnectFromTop();
  }

  setPoolEnabled(index: number, enabled: boolean): void {
    const p = this.pools[index];
    if (!p) return;
    p.enabled = enabled;
    // Disabling the pool in use moves the miner on; enabling one while idle starts it.
    if ((!enabled && index === this.activePool) || (enabled && !this.#link && this.#running)) {
      this.#reconnectFromTop();
    }
  }

  /** cgminer removepool (never the active one): later POOL numbers shift down by one. */
  removePool(index: number): void {
    if (removePoolEntry(this.pools, index) && index < this.#activePool) this.#activePool--;
  }

  #reconnectFromTop(): void {
    this.#link?.close('pool switch');
    this.o.wheel.cancel(this.#retryTimer);
    this.#link = undefined;
    this.#tryAt = 0;
    if (this.#running) this.#connectNext();
  }

  #connectNext(): void {
    if (!this.#running || this.#link) return;
    const order = failoverOrder(this.pools);
    if (order.length === 0) return;
    if (this.#tryAt >= order.length) {
      // Every pool failed: wait, doubling up to the cap, then start again from the top.
      this.#tryAt = 0;
      const wait = this.#backoff;
      this.#backoff = Math.min(this.o.backoffMaxMs, this.#backoff * 2);
      this.#retryTimer = this.o.wheel.after(wait, () => this.#connectNext());
      return;
    }
    const index = order[this.#tryAt]!;
    const pool = this.pools[index]!;
    const addr = poolAddress(pool.url);
    if (!addr) {
      this.#tryAt++;
      return this.#connectNext();
    }
    const link: StratumLink = new StratumLink(
      {
        host: addr.host,
        port: addr.port,
        // Only on loopback, where every 127.x address is this machine's.
        ...(addr.host.startsWith('127.') && this.host.startsWith('127.') ? { localAddress: this.host } : {}),
        user: pool.user,
        password: pool.password,
        userAgent: this.profile.userAgent,
        versionRollingMask: this.profile.versionRollingMask,
        versionRollingMinBits: this.profile.versionRollingMinBits,
        configureFirst: this.profile.configureFirst,
        ...(this.profile.suggestsDifficulty ? { suggestDifficulty: this.o.suggestDifficulty } : {}),
        connectTimeoutMs: 5000,
      },
      {
        ready: () => {
          this.#activePool = index;
          this.#backoff = this.o.backoffMinMs;
          pool.status = 'Alive';
          if (this.fault.kind === 'stall') link.pause();
          this.#scheduleShare();
        },
        job: (job) => {
          if (job.cleanJobs && this.#job) this.#retire(this.#job.jobId);
          else if (this.#job) this.#retire(this.#job.jobId, false);
          this.#job = job;
          this.#cursor.newJob(job);
          pool.counters.getworks++;
          if (job.cleanJobs) this.#restartWork();
          else this.#scheduleShare();
        },
        reconnect: (to) => {
          // cgminer re-points this pool entry at the new address, then reconnects.
          if (to) pool.url = `stratum+tcp://${to.host}:${to.port}`;
          link.close('client.reconnect');
        },
        difficulty: () => this.#restartWork(),
        workReset: () => this.#restartWork(),
        closed: (_reason, wasReady) => {
          if (this.#link !== link) return;
          this.#link = undefined;
          this.#job = undefined;
          pool.status = 'Dead';
          this.#stopWork();
          if (!this.#running) return;
          if (wasReady) this.#tryAt = 0;
          else this.#tryAt++;
          const delay = wasReady ? this.o.backoffMinMs : 0;
          this.#retryTimer = this.o.wheel.after(delay, () => this.#connectNext());
        },
      },
    );
    this.#link = link;
  }

  #retire(jobId: string, clean = true): void {
    if (!clean) return;
    this.#retiredJobs.push(jobId);
    if (this.#retiredJobs.length > 8) this.#retiredJobs.shift();
  }

  #stopWork(): void {
    this.o.wheel.cancel(this.#shareTimer);
    this.#shareTimer = undefined;
    this.#search?.cancel();
    this.#search = undefined;
    this.#jobGen++;
  }

  #restartWork(): void {
    this.#stopWork();
    this.#scheduleShare();
  }

  #scheduleShare(): void {
    const link = this.#link;
    if (!link?.ready || !this.#job || link.difficulty <= 0 || this.fault.kind === 'stall') return;
    if (this.#shareTimer || this.#search || this.o.hashrate <= 0) return;
    const rate = this.o.hashrate / (link.difficulty * TWO32);
    const delayMs = (-Math.log(1 - Math.random()) / rate) * 1000;
    this.#shareTimer = this.o.wheel.after(Math.min(delayMs, 2 ** 31 - 1), () => {
      this.#shareTimer = undefined;
      void this.#findShare();
    });
  }

  async #findShare(): Promise<void> {
    const link = this.#link;
    const job = this.#job;
    if (!link?.ready || !job) return;
    const gen = this.#jobGen;
    const difficulty = link.difficulty;
    if (difficulty * TWO32 > this.o.maxSearchHashes) {
      // Out of reach for CPU work (see docs/simulator.md): no search, no share, nothing burnt.
      this.stats.searchesGivenUp++;
      return this.#scheduleShare();
    }
    const work = this.#cursor.next(job, link.extranonce2Size, link.versionMask, difficulty);
    this.#search = this.o.hasher.search({
      prevHash: job.prevHash,
      coinb1: job.coinb1,
      extranonce1: link.extranonce1,
      extranonce2: work.extranonce2,
      coinb2: job.coinb2,
      branch: job.branch,
      version: work.version,
      ntime: job.ntime,
      bits: job.bits,
      target: work.target,
      startNonce: Math.floor(Math.random() * TWO32),
      maxHashes: this.o.maxSearchHashes,
      want: this.fault.kind === 'low-difficulty-shares' ? 'misses' : 'meets',
    });
    const found = await this.#search.result;
    if (gen !== this.#jobGen || this.#link !== link) return;
    this.#search = undefined;
    if (!found) {
      this.stats.searchesGivenUp++;
      return this.#scheduleShare();
    }
    const stale = this.fault.kind === 'stale-shares';
    const fields: SubmitFields = {
      worker: this.#workerFor(this.#activePool),
      jobId: stale ? (this.#retiredJobs.at(-1) ?? `${job.jobId}-gone`) : job.jobId,
      extranonce2: work.extranonce2Hex,
      ntime: hex32(job.ntime),
      nonce: hex32(found.nonce),
      ...(work.versionBits !== undefined ? { versionBits: work.versionBits } : {}),
    };
    if (this.fault.kind === 'garbage') link.writeRaw(garbageLine(this.#garbageN++));
    await this.#submit(link, fields, difficulty, found.hash);
    if (this.fault.kind === 'duplicate-shares') await this.#submit(link, fields, difficulty, found.hash);
    if (gen === this.#jobGen) this.#scheduleShare();
  }

  async #submit(
    link: StratumLink,
    fields: SubmitFields,
    difficulty: number,
    hash: Uint8Array,
  ): Promise<void> {
    const out = await link.submit(fields);
    if (out.lost) return; // the connection went away; firmware resubmits nothing
    recordOutcome(this.stats, this.pools[this.#activePool]?.counters, out, difficulty, hashDifficulty(hash));
  }

  #workerFor(index: number): string {
    return this.pools[index]?.user ?? this.worker;
  }
}
