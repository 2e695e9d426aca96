// Canned control-API answers for the TUI tests: a farm of mixed makes at a fixed instant.
import type {
  AgentEvent,
  Device,
  Discovery,
  History,
  MinerDetail,
  MinerRow,
  SerialStatus,
  Summary,
  Upstream,
} from '@farmhand/tui';

export const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
export const now = () => NOW;

const MAKES = [
  { make: 'Antminer', model: 'S19j Pro', firmware: 'Braiins OS', expected: 100e12, ua: 'bosminer/1.2.0' },
  { make: 'Whatsminer', model: 'M30S+', firmware: 'stock', expected: 100e12, ua: 'btminer/3.1' },
  { make: 'Avalon', model: '1246', firmware: 'stock', expected: 90e12, ua: 'cgminer/4.11.1' },
  { make: 'Bitaxe', model: 'Supra', firmware: 'AxeOS', expected: 0.6e12, ua: 'bitaxe/2.4' },
] as const;

/** Miner i of the farm: deterministic, with a few idle and down ones, and one hot fan failure. */
export function minerRow(i: number): MinerRow {
  const kind = MAKES[i % MAKES.length]!;
  const n = String(i + 1).padStart(4, '0');
  const status = i % 97 === 13 ? 'down' : i % 89 === 7 ? 'idle' : 'up';
  const ratio = status === 'up' ? 0.9 + ((i * 37) % 13) / 100 : 0;
  return {
    id: `farm1.rig-${n}`,
    worker: `farm1.rig-${n}`,
    ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
    make: kind.make,
    model: kind.model,
    firmware: kind.firmware,
    hashrate: kind.expected * ratio,
    expectedHashrate: kind.expected,
    temps: [60 + (i % 11), 62 + (i % 13)],
    fans: status === 'down' ? [] : [5400 + (i % 7) * 30, 5460],
    accepted: 10_000 + i * 7,
    rejected: i % 10,
    difficulty: 65_536,
    lastShareAt: status === 'up' ? NOW - (5 + (i % 50)) * 1000 : status === 'idle' ? NOW - 9 * 60_000 : null,
    status,
    userAgent: kind.ua,
  };
}

export function minerRows(count: number): MinerRow[] {
  return Array.from({ length: count }, (_, i) => minerRow(i));
}

export function historyPoints(minutes: number, level: number): History['points'] {
  const last = Math.floor(NOW / 60_000) * 60;
  return Array.from({ length: minutes }, (_, i) => {
    // A slow wave with a 20-minute dip (an upstream outage) two hours back.
    const dip = i > minutes - 130 && i < minutes - 110 ? 0.55 : 1;
    return {
      minute: last - (minutes - 1 - i) * 60,
      hashrate: level * dip * (0.95 + 0.05 * Math.sin(i / 9)),
      accepted: Math.round(60 * dip),
      rejected: i % 17 === 0 ? 1 : 0,
    };
  });
}

export function farmHistory(minutes = 180): History {
  return { scope: 'farm', key: null, points: historyPoints(minutes, 1.25e15) };
}

export const SUMMARY: Summary = {
  version: '0.1.0',
  uptimeS: 3 * 86400 + 4 * 3600,
  hashrate: { m1: 1.25e15, m15: 1.22e15, h1: 1.2e15 },
  shares: {
    accepted: 1_234_567,
    rejected: 1_234,
    stale: 56,
    byReason: { 'low difficulty': 800, 'stale job': 300, duplicate: 134 },
  },
  miners: { total: 2_500, up: 2_447, down: 26, idle: 27 },
  upstream: {
    active: 'pool-main',
    state: 'connected',
    latencyMs: 42,
    buffered: 3_750,
    replaying: true,
    replayed: 1_250,
  },
  alerts: [
    { level: 'error', message: 'farm1.rig-0014 stopped submitting (down 12 min)', at: NOW - 12 * 60_000 },
    {
      level: 'warn',
      message: 'upstream pool-main was down for 20 min; buffered shares replaying',
      at: NOW - 2 * 3600_000,
    },
  ],
};

export function minerDetail(i: number): MinerDetail {
  const row = minerRow(i);
  return {
    ...row,
    history: historyPoints(180, row.hashrate || row.expectedHashrate || 1),
    pools: [
      { url: 'stratum+tcp://10.0.0.1:3333', user: row.worker, status: 'Alive', priority: 0 },
      { url: 'stratum+tcp://backup.example.net:3333', user: 'farm1.backup', status: 'Dead', priority: 1 },
    ],
    errors: [
      { at: NOW - 4 * 60_000, message: 'fan 2 below 1000 rpm for 30 s' },
      { at: NOW - 40 * 60_000, message: 'chain 1: 3 chips missing' },
    ],
    rejectedByReason: {
      'low difficulty': Math.max(0, row.rejected - 2),
      'stale job': Math.min(2, row.rejected),
    },
  };
}

export const UPSTREAMS: Upstream[] = [
  {
    name: 'pool-main',
    kind: 'uplink',
    url: 'uplink://pool.example.net:3000',
    priority: 0,
    enabled: true,
    active: true,
    connected: true,
    latencyMs: 42,
    lastError: null,
  },
  {
    name: 'pool-backup',
    kind: 'stratum',
    url: 'stratum+tcp://backup.example.net:3333',
    priority: 1,
    enabled: true,
    active: false,
    connected: false,
    latencyMs: null,
    lastError: 'connect ETIMEDOUT after 5 s',
  },
  {
    name: 'solo-node',
    kind: 'stratum',
    url: 'stratum+tcp://10.0.9.5:3333',
    priority: 2,
    enabled: false,
    active: false,
    connected: false,
    latencyMs: null,
    lastError: null,
  },
];

function device(i: number, make: string, model: string, adopted: boolean): Device {
  return {
    ip: `10.0.20.${10 + i}`,
    mac: `02:00:0a:00:14:${(10 + i).toString(16).padStart(2, '0')}`,
    make,
    model,
    firmware: make === 'Bitaxe' ? 'AxeOS' : 'stock',
    firmwareVersion: make === 'Bitaxe' ? '2.4.1' : '2024-05',
    serial: `SN${1000 + i}`,
    hashrateThs: make === 'Bitaxe' ? 0.6 : 95.5,
    adopted,
    firstSeen: NOW - 30 * 60_000,
    lastSeen: NOW - 20_000,
  };
}

export const DISCOVERY: Discovery = {
  scan: { running: true, ranges: ['10.0.20.0/24'], done: 128, total: 254, found: 6, startedAt: NOW - 90_000 },
  devices: [
    device(1, 'Antminer', 'S19j Pro', false),
    device(2, 'Antminer', 'S19j Pro', false),
    device(3, 'Whatsminer', 'M30S+', false),
    device(4, 'Bitaxe', 'Supra', false),
    device(5, 'Antminer', 'S19 XP', false),
    device(6, 'Avalon', '1246', true),
  ],
};

/** Two Block Erupters on USB (one just unplugged) and a Compac F run by a supervised cgminer. */
export const SERIAL: SerialStatus = {
  ports: [
    {
      path: '/dev/ttyUSB0',
      usbId: '10c4:ea60',
      vendorId: '10c4',
      productId: 'ea60',
      manufacturer: 'Silicon Labs',
      serialNumber: 'BE0042',
      driver: 'icarus',
      model: 'Block Erupter',
      state: 'mining',
    },
    {
      path: '/dev/ttyUSB2',
      usbId: '0403:6015',
      vendorId: '0403',
      productId: '6015',
      manufacturer: 'GekkoScience',
      serialNumber: 'GS7',
      driver: 'host-miner',
      model: 'Compac F',
      state: 'running',
    },
  ],
  devices: [
    serialDevice('BE0042', '/dev/ttyUSB0', 'mining', 338.2e6, 1_204, 2),
    serialDevice('BE0043', '/dev/ttyUSB1', 'unplugged', 0, 17, 0),
  ],
  hostMiners: [
    {
      name: 'compac',
      state: 'running',
      pid: 4242,
      starts: 1,
      hashrate: 300e9,
      accepted: 55,
      rejected: 0,
      hardwareErrors: 0,
      apiError: null,
    },
  ],
};

function serialDevice(
  serial: string,
  path: string,
  state: SerialStatus['devices'][number]['state'],
  hashrate: number,
  accepted: number,
  hardwareErrors: number,
): SerialStatus['devices'][number] {
  return {
    name: path.slice(5),
    worker: `usb.${serial}`,
    path,
    source: 'usb',
    usbId: '10c4:ea60',
    model: 'Block Erupter',
    state,
    hashrate,
    accepted,
    rejected: 0,
    hardwareErrors,
    nonces: accepted * 4,
    stale: 0,
    reopens: state === 'mining' ? 0 : 3,
    lastNonceAt: state === 'mining' ? NOW - 2_000 : NOW - 600_000,
    lastError: state === 'mining' ? null : 'the port went away',
  };
}

export const EVENTS: AgentEvent[] = [
  {
    id: 6,
    at: NOW - 30_000,
    level: 'info',
    kind: 'share',
    message: 'block candidate accepted',
    worker: 'farm1.rig-0003',
  },
  {
    id: 5,
    at: NOW - 4 * 60_000,
    level: 'warn',
    kind: 'miner',
    message: 'fan 2 below 1000 rpm',
    worker: 'farm1.rig-0001',
  },
  {
    id: 4,
    at: NOW - 12 * 60_000,
    level: 'error',
    kind: 'miner',
    message: 'stopped submitting',
    worker: 'farm1.rig-0014',
  },
  {
    id: 3,
    at: NOW - 100 * 60_000,
    level: 'info',
    kind: 'upstream',
    message: 'pool-main connected, replaying 5,000 shares',
  },
  {
    id: 2,
    at: NOW - 120 * 60_000,
    level: 'error',
    kind: 'upstream',
    message: 'pool-main unreachable: ECONNRESET',
  },
  {
    id: 1,
    at: NOW - 130 * 60_000,
    level: 'info',
    kind: 'discovery',
    message: 'scan of 10.0.20.0/24 started',
  },
];
