// What the agent offers the control API. The answers' types are the shared contract in core.
import type {
  AdoptChange,
  AdoptRequest,
  AgentEvent,
  Device,
  Health,
  HistoryPoint,
  HostMiner,
  MinerDetail,
  MinerRow,
  ScanState,
  SerialDevice,
  SerialPort,
  SerialStatus,
  Summary,
  Upstream,
  WorkerRow,
} from '@farmhand/core/control-api';

export type * from '@farmhand/core/control-api';
/** The names the agent's code uses for the contract's rows. */
export type UpstreamRow = Upstream;
export type SerialPortRow = SerialPort;
export type SerialDeviceRow = SerialDevice;
export type HostMinerRow = HostMiner;

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
