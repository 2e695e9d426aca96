// The agent control API's answers, as docs/control-api.md specifies them: one type per answer, shared
// by the agent (which serves them) and the TUI (which reads them).

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeS: number;
  checks: Record<string, string>; // store, upstream, stratum: "ok" or what is wrong
}

export interface Alert {
  level: 'warn' | 'error';
  message: string;
  at: number;
}

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
  alerts: Alert[];
}

export type MinerStatus = 'up' | 'idle' | 'down';

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
  status: MinerStatus;
  userAgent: string | null;
}

export interface HistoryPoint {
  minute: number;
  hashrate: number;
  accepted: number;
  rejected: number;
}

export interface MinerPool {
  url: string;
  user: string;
  status: string;
  priority: number;
}

export interface MinerDetail extends MinerRow {
  history: HistoryPoint[];
  pools: MinerPool[];
  errors: { at: number; message: string }[];
  rejectedByReason: Record<string, number>;
}

export interface MinerPage {
  total: number;
  offset: number;
  items: MinerRow[];
}

export interface Upstream {
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

export interface History {
  scope: 'farm' | 'worker' | 'miner';
  key: string | null;
  points: HistoryPoint[];
}

export type EventLevel = 'info' | 'warn' | 'error';

export interface AgentEvent {
  id: number;
  at: number;
  level: EventLevel;
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

export interface Discovery {
  scan: ScanState;
  devices: Device[];
}

/** GET /api/v1/serial: one port the agent's USB inventory lists. */
export interface SerialPort {
  path: string;
  usbId: string | null; // vvvv:pppp; null for ports that are not USB
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  driver: string | null; // 'icarus' | 'host-miner' from the USB profiles; null: unknown stick
  model: string | null;
  state: string; // the state of what drives it, or 'unused'
}

export type SerialDeviceState = 'opening' | 'handshake' | 'mining' | 'unplugged' | 'stopped';

/** An Icarus-protocol device the agent drives itself; `worker` is its row in the miners list. */
export interface SerialDevice {
  name: string;
  worker: string;
  path: string;
  source: 'config' | 'usb';
  usbId: string | null;
  model: string;
  state: SerialDeviceState;
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

/** A supervised host miner (cgminer/bfgminer) for sticks the agent cannot drive itself. */
export interface HostMiner {
  name: string;
  state: 'stopped' | 'running' | 'waiting';
  pid: number | null;
  starts: number;
  hashrate: number | null;
  accepted: number | null;
  rejected: number | null;
  hardwareErrors: number | null;
  apiError: string | null;
}

export interface SerialStatus {
  ports: SerialPort[];
  devices: SerialDevice[];
  hostMiners: HostMiner[];
}

export type AdoptNaming = 'ip' | 'serial' | 'mac';

export interface AdoptRequest {
  ips?: string[];
  make?: string;
  naming: AdoptNaming;
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

export interface AdoptResult {
  changes: AdoptChange[];
}

export interface RepointRequest {
  url: string;
  user: string;
  password?: string;
}

export interface Done {
  ok: true;
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
