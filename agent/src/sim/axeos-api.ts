import type { IncomingMessage, ServerResponse } from 'node:http';
import { poolAddress, type PoolConfig } from './pool-url.js';
import type { SimMiner } from './sim-miner.js';
import { telemetryAt } from './telemetry.js';

// The AxeOS (ESP-Miner) REST API: GET /api/system/info with the real field names (hashRate in
// GH/s), PATCH /api/system to store settings, POST /api/system/restart to apply them.

const FW = 'v2.12.2';

/** Settings written by PATCH, applied on restart (the real device stores them in NVS). */
interface Nvs {
  stratumURL: string;
  stratumPort: number;
  stratumUser: string;
  stratumPassword: string;
  fallbackStratumURL: string;
  fallbackStratumPort: number;
  fallbackStratumUser: string;
  fallbackStratumPassword: string;
}

function bareHost(url: string): string {
  return url
    .replace(/^stratum\+tcp:\/\//, '')
    .replace(/:\d+$/, '')
    .replace(/\/$/, '');
}

function fromPools(pools: readonly PoolConfig[]): Nvs {
  const a = pools[0];
  const b = pools[1];
  const pa = a ? poolAddress(a.url) : undefined;
  const pb = b ? poolAddress(b.url) : undefined;
  return {
    stratumURL: pa?.host ?? '',
    stratumPort: pa?.port ?? 3333,
    stratumUser: a?.user ?? '',
    stratumPassword: a?.password ?? 'x',
    fallbackStratumURL: pb?.host ?? '',
    fallbackStratumPort: pb?.port ?? 3333,
    fallbackStratumUser: b?.user ?? '',
    fallbackStratumPassword: b?.password ?? 'x',
  };
}

export function axeosSuffix(m: SimMiner): string {
  return m.mac.split(':').slice(4).join('').toLowerCase();
}

export function axeosApi(
  m: SimMiner,
  restartMs: () => number,
): (req: IncomingMessage, res: ServerResponse, body: string) => void {
  let nvs = fromPools(m.pools);
  const json = (res: ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  return (req, res, body) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/system/info') return json(res, 200, systemInfo(m, nvs));
    if (req.method === 'GET' && path === '/api/system/asic') {
      return json(res, 200, {
        ASICModel: 'BM1370',
        deviceModel: m.profile.model,
        swarmColor: 'purple',
        asicCount: 1,
        defaultFrequency: 525,
        frequencyOptions: [400, 490, 525, 550, 600, 625],
        defaultVoltage: 1150,
        voltageOptions: [1000, 1060, 1100, 1150, 1200, 1250],
      });
    }
    if (req.method === 'PATCH' && path === '/api/system') {
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(body) as Record<string, unknown>;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      } catch {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('Invalid JSON');
        return;
      }
      const next = { ...nvs };
      for (const k of [
        'stratumURL',
        'stratumUser',
        'stratumPassword',
        'fallbackStratumURL',
        'fallbackStratumUser',
        'fallbackStratumPassword',
      ] as const) {
        if (typeof v[k] === 'string') next[k] = k.endsWith('URL') ? bareHost(v[k]) : v[k];
      }
      for (const k of ['stratumPort', 'fallbackStratumPort'] as const) {
        const p = v[k];
        if (typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536) next[k] = p;
      }
      nvs = next;
      return json(res, 200, { status: 'success' });
    }
    if (req.method === 'POST' && path === '/api/system/restart') {
      json(res, 200, { message: 'System will restart shortly.' });
      const pools: PoolConfig[] = [
        {
          url: `stratum+tcp://${nvs.stratumURL}:${nvs.stratumPort}`,
          user: nvs.stratumUser,
          password: nvs.stratumPassword,
        },
      ];
      if (nvs.fallbackStratumURL)
        pools.push({
          url: `stratum+tcp://${nvs.fallbackStratumURL}:${nvs.fallbackStratumPort}`,
          user: nvs.fallbackStratumUser,
          password: nvs.fallbackStratumPassword,
        });
      m.pendingPools = pools;
      m.reboot(restartMs());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
  };
}

function systemInfo(m: SimMiner, nvs: Nvs): Record<string, unknown> {
  const now = Date.now();
  const mining = m.activePool >= 0;
  const t = telemetryAt(m.profile, m.seed, now, mining);
  const ghs = (w: number) => Math.round((m.stats.hashrate(w, now) / 1e9) * 1e7) / 1e7;
  const chip = t.boards[0]?.chip ?? 0;
  const host = `bitaxe-${axeosSuffix(m)}`;
  const reasons = [...m.stats.rejectCodes].map(([code, count]) => ({
    message:
      code === 21 ? 'Stale' : code === 22 ? 'Duplicate share' : code === 23 ? 'Above target' : 'Rejected',
    count,
  }));
  return {
    power: 18.7522583,
    voltage: 5093.75,
    current: 12015.625,
    temp: chip,
    temp2: -1,
    vrTemp: Math.round(chip + 2),
    maxPower: 40,
    nominalVoltage: 5,
    hashRate: ghs(60_000),
    hashRate_1m: ghs(60_000),
    hashRate_10m: ghs(600_000),
    hashRate_1h: ghs(900_000),
    expectedHashrate: Math.round(m.hashrateSetting / 1e9),
    errorPercentage: 0,
    bestDiff: Math.floor(m.stats.bestShare),
    bestSessionDiff: Math.floor(m.stats.bestShare),
    poolDifficulty: m.difficulty,
    isUsingFallbackStratum: m.activePool === 1 ? 1 : 0,
    poolAddrFamily: 2,
    isPSRAMAvailable: 1,
    freeHeap: 8212708,
    freeHeapInternal: 104027,
    freeHeapSpiram: 8140652,
    coreVoltage: 1150,
    coreVoltageActual: 1144,
    frequency: 525,
    ssid: 'HomeNET',
    macAddr: m.mac,
    hostname: 'bitaxe',
    mdnsHostname: host,
    fullHostname: `${host}.local`,
    ipv4: m.host,
    ipv6: 'FE80::F2F5:BDFF:FE44:B2F0',
    wifiStatus: 'Connected!',
    wifiRSSI: -44,
    apEnabled: 0,
    sharesAccepted: m.stats.accepted,
    sharesRejected: m.stats.rejected,
    sharesRejectedReasons: reasons,
    uptimeSeconds: Math.floor((now - m.bootedAt) / 1000),
    smallCoreCount: 2040,
    ASICModel: 'BM1370',
    stratumURL: nvs.stratumURL,
    stratumPort: nvs.stratumPort,
    stratumUser: nvs.stratumUser,
    stratumSuggestedDifficulty: 1000,
    stratumExtranonceSubscribe: 0,
    fallbackStratumURL: nvs.fallbackStratumURL,
    fallbackStratumPort: nvs.fallbackStratumPort,
    fallbackStratumUser: nvs.fallbackStratumUser,
    fallbackStratumSuggestedDifficulty: 1000,
    fallbackStratumExtranonceSubscribe: 0,
    responseTime: 12.5,
    version: FW,
    axeOSVersion: FW,
    idfVersion: 'v5.5.1',
    boardVersion: '601',
    resetReason: 'Software reset via esp_restart',
    runningPartition: 'factory',
    overheat_mode: 0,
    overclockEnabled: 0,
    display: 'SSD1306 (128x32)',
    rotation: 0,
    invertscreen: 0,
    displayTimeout: -1,
    autofanspeed: 1,
    fanspeed: t.fanPercent,
    manualFanSpeed: 100,
    minFanSpeed: 25,
    temptarget: 60,
    fanrpm: t.fansRpm[0] ?? 0,
    fan2rpm: 0,
    statsFrequency: 0,
    blockFound: 0,
    blockHeight: 931409,
    scriptsig: '',
    networkDifficulty: 146472570619930,
    hashrateMonitor: {
      asics: [{ total: ghs(60_000), domains: [0, 0, 0, 0].map(() => ghs(60_000) / 4), errorCount: 0 }],
    },
  };
}

export const AXEOS_FW = FW;
