import { readFileSync } from 'node:fs';
import { withInventoryFacts } from './inventory-facts.js';
import { Gauge, Counter, Registry } from 'prom-client';
import type { Agent } from '../agent.js';
import type { MinerSessionInfo } from '../downstream/index.js';
import type {
  ActionResult,
  AdoptChange,
  AdoptRequest,
  ActionFailure,
  ControlSource,
  Device,
  HistoryPoint,
  MinerDetail,
  MinerRow,
  Summary,
  UpstreamRow,
  WorkerRow,
  AgentEvent,
  Health,
  ScanState,
  SerialStatus,
} from './types.js';
import { loadUsbProfiles, type UsbProfile } from '../serial/index.js';
import { serialStatus, withSerialFacts, type SerialView } from './serial-status.js';

// The agent as the control API sees it: everything is derived from the live parts on each request.

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const UP_WINDOW_MS = 5 * 60_000;

function failure(status: number, code: string, message: string): ActionFailure {
  return { ok: false, status, code, message };
}

export class AgentControl implements ControlSource {
  private readonly registry = new Registry();
  /** Set by runAgent once the serial service runs (it starts after the control API listens). */
  serialSource: SerialView | null = null;
  private usbProfiles: readonly UsbProfile[] | null = null;

  constructor(private readonly agent: Agent) {
    this.registerMetrics();
  }

  serial(): SerialStatus {
    if (!this.serialSource) return { ports: [], devices: [], hostMiners: [] };
    if (!this.usbProfiles) {
      const loaded = loadUsbProfiles();
      this.usbProfiles = loaded.ok ? loaded.value : []; // the serial service logs a bad profile already
    }
    return serialStatus(this.serialSource, this.usbProfiles);
  }

  health(): Health {
    const active = this.agent.upstreams.active;
    const checks: Record<string, string> = {
      store: 'ok',
      stratum: 'ok',
      upstream:
        this.agent.upstreamList.length === 0 ? 'none configured' : active ? 'ok' : 'no upstream connected',
    };
    return {
      status: Object.values(checks).every((c) => c === 'ok') ? 'ok' : 'degraded',
      version: pkg.version,
      uptimeS: Math.round((Date.now() - this.agent.startedAt) / 1000),
      checks,
    };
  }

  summary(): Summary {
    const now = Date.now();
    const a = this.agent;
    const rows = this.miners();
    const active = a.upstreams.active;
    const activeInfo = a.upstreams.list().find((u) => u.active);
    const alerts: Summary['alerts'] = [];
    if (a.upstreamList.length === 0)
      alerts.push({ level: 'warn', message: 'no upstream configured', at: a.startedAt });
    else if (!active)
      alerts.push({ level: 'error', message: 'no upstream connected: shares are buffered', at: now });
    const t = a.stats.totals;
    return {
      version: pkg.version,
      uptimeS: Math.round((now - a.startedAt) / 1000),
      hashrate: {
        m1: a.stats.hashrate(1, now),
        m15: a.stats.hashrate(15, now),
        h1: a.stats.hashrate(60, now),
      },
      shares: { accepted: t.accepted, rejected: t.rejected, stale: t.stale, byReason: { ...t.byReason } },
      miners: {
        total: rows.length,
        up: rows.filter((r) => r.status === 'up').length,
        idle: rows.filter((r) => r.status === 'idle').length,
        down: rows.filter((r) => r.status === 'down').length,
      },
      upstream: {
        active: active?.name ?? null,
        state: active ? 'connected' : a.upstreamList.length ? 'connecting' : 'down',
        latencyMs: activeInfo?.state.latencyMs ?? null,
        buffered: a.store.depth,
        replaying: a.replaying,
        replayed: a.replayed,
      },
      alerts,
    };
  }

  miners(): MinerRow[] {
    const now = Date.now();
    const seen = new Map<string, number>();
    const rows = this.agent.server.sessions().map((s) => {
      const worker = s.account !== undefined ? `${s.account}.${s.worker}` : '';
      const base = worker || s.sessionId;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return rowOf(s, n === 1 ? base : `${base}#${n}`, worker, now);
    });
    const known = withInventoryFacts(rows, this.agent.discovery.devices());
    return this.serialSource ? withSerialFacts(known, this.serial().devices) : known;
  }

  miner(id: string): MinerDetail | null {
    const row = this.miners().find((r) => r.id === id);
    if (!row) return null;
    const session = this.agent.server
      .sessions()
      .find((s) => row.id.startsWith(`${s.account}.${s.worker}`) || s.sessionId === id);
    return {
      ...row,
      history: this.history('miner', row.worker, 180),
      pools: [],
      errors: this.events({ limit: 20, q: row.worker })
        .filter((e) => e.level !== 'info')
        .map((e) => ({ at: e.at, message: e.message })),
      rejectedByReason: { ...(session?.rejected ?? {}) },
    };
  }

  workers(): WorkerRow[] {
    const by = new Map<string, WorkerRow>();
    for (const r of this.miners()) {
      if (!r.worker) continue;
      const dot = r.worker.indexOf('.');
      const w = by.get(r.worker) ?? {
        account: r.worker.slice(0, dot),
        worker: r.worker.slice(dot + 1),
        miners: 0,
        hashrate: 0,
        accepted: 0,
        rejected: 0,
        lastShareAt: null,
      };
      w.miners += 1;
      w.hashrate += r.hashrate;
      w.accepted += r.accepted;
      w.rejected += r.rejected;
      if (r.lastShareAt !== null && (w.lastShareAt === null || r.lastShareAt > w.lastShareAt))
        w.lastShareAt = r.lastShareAt;
      by.set(r.worker, w);
    }
    return [...by.values()];
  }

  upstreams(): UpstreamRow[] {
    const urls = new Map(this.agent.config.upstreams.map((u, i) => [i, typeof u === 'string' ? u : u.url]));
    return this.agent.upstreams.list().map((u) => ({
      name: u.name,
      kind: u.kind,
      url: redact(urls.get(u.priority) ?? ''),
      priority: u.priority,
      enabled: u.enabled,
      active: u.active,
      connected: u.state.connected,
      latencyMs: u.state.latencyMs ?? null,
      lastError: u.state.lastError ?? null,
    }));
  }

  history(scope: 'farm' | 'worker' | 'miner', key: string, minutes: number): HistoryPoint[] {
    const from = Math.floor(Date.now() / 60_000) * 60 - minutes * 60;
    return this.agent.store.history.history(scope, scope === 'farm' ? '' : key, from).map((m) => ({
      minute: m.minute,
      hashrate: (m.acceptedDifficulty * 2 ** 32) / 60,
      accepted: m.accepted,
      rejected: Object.values(m.rejected).reduce((a, b) => a + b, 0),
    }));
  }

  events(query: { limit: number; level?: string; q?: string }): AgentEvent[] {
    const needle = query.q?.toLowerCase();
    return this.agent.store.events
      .list(Math.min(5000, query.limit * (needle || query.level ? 10 : 1)))
      .map((e) => ({
        id: e.id,
        at: e.at,
        level: levelOf(e.kind),
        kind: e.kind,
        message: `${e.kind} ${e.subject}${e.detail ? `: ${e.detail}` : ''}`,
        ...(e.kind.startsWith('miner') ? { worker: e.subject } : {}),
      }))
      .filter(
        (e) =>
          (!query.level || e.level === query.level) && (!needle || e.message.toLowerCase().includes(needle)),
      )
      .slice(0, query.limit);
  }

  discovery(): { scan: ScanState; devices: Device[] } {
    const d = this.agent.discovery;
    return { scan: d.state(), devices: d.devices() };
  }

  async switchUpstream(name: string): Promise<ActionResult> {
    return this.agent.upstreams.switchTo(name)
      ? { ok: true }
      : failure(409, 'UPSTREAM_UNAVAILABLE', `upstream ${name} is unknown, disabled or not connected`);
  }

  async enableUpstream(name: string, enabled: boolean): Promise<ActionResult> {
    const done = enabled ? this.agent.upstreams.enable(name) : await this.agent.upstreams.disable(name);
    return done ? { ok: true } : failure(404, 'NO_SUCH_UPSTREAM', `no upstream named ${name}`);
  }

  /**
   * A miner row's device is the inventory entry at its peer address; behind NAT (or several miners on
   * one address) the device the agent gave that worker name to; else `id` is the device address.
   */
  private deviceIp(id: string): string | null {
    const d = this.agent.discovery;
    const known = (ip: string) => d.devices().some((x) => x.ip === ip);
    const row = this.miners().find((r) => r.id === id);
    const peer = row?.ip.replace(/^::ffff:/, '');
    if (peer && known(peer)) return peer;
    const named = row ? d.audit.addressOfWorker(row.worker) : null;
    if (named && known(named)) return named;
    return known(id) ? id : null;
  }

  async restartMiner(id: string): Promise<ActionResult> {
    const ip = this.deviceIp(id);
    if (ip === null) return notInInventory(id);
    const r = await this.agent.discovery.restart(ip);
    return r.ok ? { ok: true } : deviceFailure(r.error.code, r.error.message);
  }

  async repointMiner(
    id: string,
    target: { url: string; user: string; password?: string },
  ): Promise<ActionResult> {
    const ip = this.deviceIp(id);
    if (ip === null) return notInInventory(id);
    const r = await this.agent.discovery.repoint(ip, target);
    return r.ok ? { ok: true } : deviceFailure(r.error.code, r.error.message);
  }

  async startScan(ranges: string[]): Promise<ActionResult> {
    const r = this.agent.discovery.startScan(ranges);
    if (r.ok) return { ok: true };
    return failure(r.error.code === 'SCAN_RUNNING' ? 409 : 400, r.error.code, r.error.message);
  }

  async adopt(request: AdoptRequest): Promise<{ ok: true; changes: AdoptChange[] } | ActionFailure> {
    return { ok: true, changes: await this.agent.discovery.adopt(request) };
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private registerMetrics(): void {
    const a = this.agent;
    const registers = [this.registry];
    new Gauge({
      name: 'farmhand_miners_connected',
      help: 'Miner connections to the stratum server',
      registers,
      collect() {
        this.set(a.server.stats().connections);
      },
    });
    new Gauge({
      name: 'farmhand_buffer_shares',
      help: 'Shares in the SQLite buffer not yet acknowledged upstream',
      registers,
      collect() {
        this.set(a.store.depth);
      },
    });
    new Gauge({
      name: 'farmhand_hashrate_hashes_per_second',
      help: 'Farm hashrate from accepted work, by window',
      labelNames: ['window'],
      registers,
      collect() {
        const now = Date.now();
        for (const [w, m] of [
          ['1m', 1],
          ['15m', 15],
          ['1h', 60],
        ] as const)
          this.set({ window: w }, a.stats.hashrate(m, now));
      },
    });
    new Gauge({
      name: 'farmhand_upstream_up',
      help: '1 when the upstream is connected',
      labelNames: ['upstream', 'kind', 'active'],
      registers,
      collect() {
        this.reset();
        for (const u of a.upstreams.list())
          this.set({ upstream: u.name, kind: u.kind, active: String(u.active) }, u.state.connected ? 1 : 0);
      },
    });
    new Counter({
      name: 'farmhand_shares_total',
      help: 'Shares judged by the agent, by result and reject reason',
      labelNames: ['result', 'reason'],
      registers,
      collect() {
        this.reset();
        const s = a.server.stats();
        this.inc({ result: 'accepted', reason: '' }, s.sharesAccepted);
        for (const [reason, n] of Object.entries(s.sharesRejected))
          this.inc({ result: 'rejected', reason }, n);
      },
    });
    new Counter({
      name: 'farmhand_blocks_found_total',
      help: 'Blocks found by the farm',
      registers,
      collect() {
        this.reset();
        this.inc(a.server.stats().blocks);
      },
    });
  }
}

function rowOf(s: MinerSessionInfo, id: string, worker: string, now: number): MinerRow {
  const recent = s.lastShareAt !== undefined && now - s.lastShareAt < UP_WINDOW_MS;
  return {
    id,
    worker,
    ip: s.peer.replace(/:\d+$/, ''),
    make: null,
    model: null,
    firmware: null,
    hashrate: s.hashrate,
    expectedHashrate: null,
    temps: [],
    fans: [],
    accepted: s.accepted,
    rejected: s.rejectedTotal,
    difficulty: s.difficulty ?? 0,
    lastShareAt: s.lastShareAt ?? null,
    status: recent ? 'up' : 'idle',
    userAgent: s.userAgent ?? null,
  };
}

function notInInventory(id: string): ActionFailure {
  return failure(
    404,
    'NOT_IN_INVENTORY',
    `miner ${id}: no discovered device at its address; scan its range (POST /api/v1/discovery/scan) first`,
  );
}

const DEVICE_STATUS: Record<string, number> = {
  NOT_IN_INVENTORY: 404,
  BUSY: 409,
  BAD_TARGET: 400,
  UNSUPPORTED: 501,
  UNREACHABLE: 502,
  DEVICE_REFUSED: 502,
};

function deviceFailure(code: string, message: string): ActionFailure {
  return failure(DEVICE_STATUS[code] ?? 500, code, message);
}

function levelOf(kind: string): 'info' | 'warn' | 'error' {
  if (kind === 'upstream-down' || kind === 'store-full') return 'error';
  if (kind === 'upstream-switch' || kind === 'upstream-reject' || kind === 'miner-disconnected')
    return 'warn';
  return 'info';
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
