// The control API's answers, one type each (docs/control-api.md is the contract).

export interface Summary {
  version: string;
  uptimeS: number;
  hashrate: { m1: number; m15: number; h1: number };
  shares: { accepted: number; rejected: number; stale: number; byReason: Record<string, number> };
  miners: { total: number; up: number; down: number; idle: number };
  upstream: {
    active: string | null;
    state: 'connected' | 'connecting' | 'down';
    latencyMs: number | null;
    buffered: number;
    replaying: boolean;
    replayed: number;
  };
  alerts: { level: 'warn' | 'error'; message: string; at: number }[];
}

export interface MinerRow {
  id: string;
  worker: string;
  ip: string;
  make: string | null;
  model: string | null;
  firmware: string | null;
  hashrate: number;
  expectedHashrate: number | null;
  temps: number[];
  fans: number[];
  accepted: number;
  rejected: number;
  difficulty: number;
  lastShareAt: number | null;
  status: 'up' | 'idle' | 'down';
  userAgent: string | null;
}

export interface HistoryPoint {
  minute: number;
  hashrate: number;
  accepted: number;
  rejected: number;
}

export interface MinerDetail extends MinerRow {
  history: HistoryPoint[];
  pools: { url: string; user: string; status: string; priority: number }[];
  errors: { at: number; message: string }[];
  rejectedByReason: Record<string, number>;
}

export interface WorkerRow {
  account: string;
  worker: string;
  miners: number;
  hashrate: number;
  accepted: number;
  rejected: number;
  lastShareAt: number | null;
}

export interface UpstreamRow {
  name: string;
  kind: 'uplink' | 'stratum';
  url: string;
  priority: number;
  enabled: boolean;
  active: boolean;
  connected: boolean;
  latencyMs: number | null;
  lastError: string | null;
}

export interface AgentEvent {
  id: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  kind: string;
  message: string;
  miner?: string;
  worker?: string;
}

export interface ScanState {
  running: boolean;
  ranges: string[];
  done: number;
  total: number;
  found: number;
  startedAt: number | null;
}

export interface Device {
  ip: string;
  mac: string | null;
  make: string;
  model: string | null;
  firmware: string | null;
  firmwareVersion: string | null;
  serial: string | null;
  hashrateThs: number | null;
  adopted: boolean;
  firstSeen: number;
  lastSeen: number;
}

export interface AdoptRequest {
  ips?: string[];
  make?: string;
  naming: 'ip' | 'serial' | 'mac';
  dryRun: boolean;
}

export interface AdoptChange {
  ip: string;
  worker: string;
  from: string[];
  to: string[];
  applied: boolean;
  error?: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeS: number;
  checks: Record<string, 'ok' | string>;
}

export interface MinerQuery {
  sort?: string;
  order?: 'asc' | 'desc';
  filter?: string;
  offset: number;
  limit: number;
}

/** What the agent offers the control API. Actions fail with a code and a message. */
export interface ControlSource {
  health(): Health;
  summary(): Summary;
  miners(): MinerRow[];
  miner(id: string): MinerDetail | null;
  workers(): WorkerRow[];
  upstreams(): UpstreamRow[];
  history(scope: 'farm' | 'worker' | 'miner', key: string, minutes: number): HistoryPoint[];
  events(query: { limit: number; level?: string; q?: string }): AgentEvent[];
  discovery(): { scan: ScanState; devices: Device[] };
  /** USB ports, serial devices and host miners; empty lists when the agent runs none. */
  serial(): SerialStatus;
  switchUpstream(name: string): Promise<ActionResult>;
  enableUpstream(name: string, enabled: boolean): Promise<ActionResult>;
  restartMiner(id: string): Promise<ActionResult>;
  repointMiner(id: string, target: { url: string; user: string; password?: string }): Promise<ActionResult>;
  startScan(ranges: string[]): Promise<ActionResult>;
  adopt(request: AdoptRequest): Promise<{ ok: true; changes: AdoptChange[] } | ActionFailure>;
  metrics(): Promise<string>;
}

export interface ActionFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type ActionResult = { ok: true } | ActionFailure;

/** One serial port the USB inventory sees (GET /api/v1/serial). */
export interface SerialPortRow {
  path: string;
  /** vvvv:pppp in lowercase hex; null for ports that are not USB. */
  usbId: string | null;
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  /** From firmware-profiles/usb-*.json: 'icarus', 'host-miner', or null for an unknown stick. */
  driver: string | null;
  /** The profile's model names for this USB id. */
  model: string | null;
  /** The state of what drives the port (a device or host miner state), or 'unused'. */
  state: string;
}

/** One Icarus-protocol device the agent drives itself. */
export interface SerialDeviceRow {
  name: string;
  worker: string;
  path: string;
  source: 'config' | 'usb';
  usbId: string | null;
  /** Same as model in the miners list: the profile's models, or 'Icarus' when the USB id is unknown. */
  model: string;
  state: 'opening' | 'handshake' | 'mining' | 'unplugged' | 'stopped';
  /** Hashes per second, measured from nonces (the configured figure until measured). */
  hashrate: number;
  accepted: number;
  rejected: number;
  hardwareErrors: number;
  nonces: number;
  stale: number;
  reopens: number;
  lastNonceAt: number | null;
  lastError: string | null;
}

/** One supervised host miner (cgminer/bfgminer for sticks the agent cannot drive itself). */
export interface HostMinerRow {
  name: string;
  state: 'stopped' | 'running' | 'waiting';
  pid: number | null;
  starts: number;
  /** From its cgminer API while it runs (hashes per second); null when not known. */
  hashrate: number | null;
  accepted: number | null;
  rejected: number | null;
  hardwareErrors: number | null;
  apiError: string | null;
}

export interface SerialStatus {
  ports: SerialPortRow[];
  devices: SerialDeviceRow[];
  hostMiners: HostMinerRow[];
}
