import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, type AddressRange } from '../../../agent/src/discovery/address-range.js';
import { runScan } from '../../../agent/src/discovery/scan-command.js';
import { scan } from '../../../agent/src/discovery/scanner.js';
import type { FirmwareProfile } from '../../../agent/src/fleet/firmware-profile.js';
import { loadProfiles } from '../../../agent/src/fleet/profiles.js';
import { readFixture } from '../../support/fixtures.js';
import {
  cgminerServer,
  garbageServer,
  httpServer,
  silentServer,
  type Listening,
} from '../fleet/replay-servers.js';

const base = 20000 + Math.floor(Math.random() * 20000);
const PORTS = { 4028: base, 80: base + 1, 4433: base + 2 } as const;
const PORT_MAP = `4028=${PORTS[4028]},80=${PORTS[80]},4433=${PORTS[4433]}`;
const f = (rel: string): string => readFixture(`asics/${rel}`);
const at = (n: number): string => `127.0.0.${n}`;

let profiles: FirmwareProfile[] = [];
const servers: Listening[] = [];

function range(t: string): AddressRange {
  const r = parseRange(t);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

// 127.0.0.100-130: four miners; hosts that hang, answer garbage or speak another protocol; the rest refuse.
beforeAll(async () => {
  const p = loadProfiles();
  if (!p.ok) throw new Error(p.error.message);
  profiles = p.value;
  const antminer = await cgminerServer(
    {
      version: f('antminer-stock/foreman-s19-overheating-version.txt'),
      stats: f('antminer-stock/foreman-s19-overheating-stats.txt'),
      pools: f('antminer-stock/foreman-s19-overheating-pools.txt'),
    },
    at(101),
    PORTS[4028],
  );
  const whatsminer = await cgminerServer(
    {
      version: f('whatsminer/doc-bitlink-version-invalid-cmd.txt'),
      summary: f('whatsminer/foreman-m30s-summary.txt'),
      edevs: f('whatsminer/foreman-m30s-edevs.txt'),
      pools: f('whatsminer/foreman-m30s-pools.txt'),
    },
    at(105),
    PORTS[4028],
  );
  servers.push(
    antminer,
    whatsminer,
    await httpServer(
      {
        'GET /api/system/info': () => ({
          status: 200,
          body: f('axeos/osmu-gamma-601-v2.12.2-system-info.json'),
        }),
        'GET /api/system/asic': () => ({ status: 200, body: f('axeos/osmu-gamma-system-asic.json') }),
      },
      { host: at(110), port: PORTS[80] },
    ),
    await cgminerServer(
      {
        version: f('braiins-os/foreman-s9-bosplus-version.txt'),
        summary: f('braiins-os/foreman-s9-bosplus-summary.txt'),
        fans: f('braiins-os/foreman-s9-bosplus-fans.txt'),
        temps: f('braiins-os/foreman-s9-bosplus-temps.txt'),
        pools: f('braiins-os/foreman-s9-bosplus-pools.txt'),
      },
      at(120),
      PORTS[4028],
    ),
    // hang: accept and never answer
    await silentServer(at(103), PORTS[4028]),
    await silentServer(at(111), PORTS[80]),
    await silentServer(at(111), PORTS[4028]),
    // garbage
    await garbageServer(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37]), at(107), PORTS[4028]),
    await garbageServer(Buffer.from('220 ftp.farm.local FTP ready\r\n'), at(108), PORTS[80]),
    await garbageServer(Buffer.from('{"STATUS":[{"STATUS":"S","Msg":"half a rep'), at(109), PORTS[4028]),
    // speaks HTTP but is a router, and a cgminer API that is not a known make
    await httpServer(
      {
        'GET *': () => ({
          status: 200,
          headers: { 'Content-Type': 'text/html' },
          body: '<html><title>Router</title></html>',
        }),
      },
      { host: at(112), port: PORTS[80] },
    ),
    await cgminerServer(
      {
        '*': '{"STATUS":[{"STATUS":"S","When":1,"Code":22,"Msg":"x","Description":"mystery 1.0"}],"VERSION":[{"API":"3.1"}],"id":1}',
      },
      at(113),
      PORTS[4028],
    ),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('scan', () => {
  it('finds exactly the real miners among refusing, hanging and garbage hosts, within its budget', async () => {
    const report = await scan([range('127.0.0.100-127.0.0.130')], {
      profiles,
      portMap: PORTS,
      concurrency: 8,
      probeTimeoutMs: 400,
      hostTimeoutMs: 3000,
      budgetMs: 20_000,
    });
    expect(report.miners.map((m) => [m.ip, m.make, m.firmware])).toEqual([
      ['127.0.0.101', 'antminer', 'stock'],
      ['127.0.0.105', 'whatsminer', 'stock'],
      ['127.0.0.110', 'bitaxe', 'axeos'],
      ['127.0.0.120', 'antminer', 'braiins'],
    ]);
    expect(report.addresses).toBe(31);
    expect(report.probed).toBe(31);
    expect(report.budgetExhausted).toBe(false);
    expect(report.miners[0]?.model).toBe('S19 Pro');
    expect(report.miners[1]?.hashrateThs).toBeCloseTo(85.03843, 5);
  });

  it('asks one device one thing at a time', async () => {
    // A slow device: each answer takes 30 ms; overlapping requests would show as more than one in flight.
    let inFlight = 0;
    let maxInFlight = 0;
    let requests = 0;
    const body: Record<string, string> = {
      version: f('antminer-stock/foreman-s19-overheating-version.txt'),
      stats: f('antminer-stock/foreman-s19-overheating-stats.txt'),
      pools: f('antminer-stock/foreman-s19-overheating-pools.txt'),
    };
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', (c) => {
        requests++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const cmd = (JSON.parse(c.toString()) as { command: string }).command;
        setTimeout(() => {
          inFlight--;
          s.end((body[cmd] ?? '{"STATUS":[{"STATUS":"E","Msg":"Invalid command"}]}') + '\0');
        }, 30);
      });
    });
    await new Promise<void>((r) => server.listen(PORTS[4028], at(125), r));
    const report = await scan([range('127.0.0.125')], {
      profiles,
      portMap: PORTS,
      concurrency: 8,
      probeTimeoutMs: 1000,
    });
    server.close();
    expect(report.miners.map((m) => m.ip)).toEqual(['127.0.0.125']);
    expect(requests).toBeGreaterThan(2);
    expect(maxInFlight).toBe(1);
  });

  it('stops starting hosts when the budget is spent, and still resolves', async () => {
    const report = await scan(
      [range('127.0.0.103'), range('127.0.0.111'), range('127.0.0.140-127.0.0.160')],
      { profiles, portMap: PORTS, concurrency: 1, probeTimeoutMs: 5000, hostTimeoutMs: 5000, budgetMs: 300 },
    );
    expect(report.budgetExhausted).toBe(true);
    expect(report.skipped).toBeGreaterThan(0);
    expect(report.miners).toEqual([]);
  });

  it('an empty or unreachable range is an empty answer', async () => {
    const report = await scan([range('127.0.0.200-127.0.0.203')], {
      profiles,
      portMap: PORTS,
      probeTimeoutMs: 300,
    });
    expect(report.miners).toEqual([]);
    expect(report.probed).toBe(4);
  });
});

describe('farmhand scan', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  }

  it('--json prints the miners with the promised fields, exit 0', async () => {
    const c = io();
    const code = await runScan(
      ['127.0.0.100-110'],
      { json: true, portMap: PORT_MAP, timeout: '400', concurrency: '8' },
      c.io,
    );
    expect(code).toBe(0);
    const miners = JSON.parse(c.out.join('')) as Record<string, unknown>[];
    expect(miners.map((m) => m.ip)).toEqual(['127.0.0.101', '127.0.0.105', '127.0.0.110']);
    for (const m of miners)
      for (const k of [
        'ip',
        'make',
        'model',
        'firmware',
        'firmwareVersion',
        'hashrateThs',
        'boards',
        'fans',
        'pools',
      ])
        expect(m, k).toHaveProperty(k);
    expect(miners[2]).toMatchObject({
      make: 'bitaxe',
      model: 'Gamma',
      firmware: 'axeos',
      firmwareVersion: 'v2.12.2',
    });
  });

  it('nothing found is still exit 0; a bad range is exit 2 with a message', async () => {
    const none = io();
    expect(
      await runScan(['127.0.0.200-201'], { json: true, portMap: PORT_MAP, timeout: '300' }, none.io),
    ).toBe(0);
    expect(JSON.parse(none.out.join(''))).toEqual([]);
    const text = io();
    expect(await runScan(['127.0.0.200'], { portMap: PORT_MAP, timeout: '300' }, text.io)).toBe(0);
    expect(text.out.join('')).toMatch(/^0 miner\(s\) in 1 address\(es\)/);
    const bad = io();
    expect(await runScan(['10.0.0.0/8'], {}, bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('/16');
    const badMap = io();
    expect(await runScan(['127.0.0.1'], { portMap: '4028-1' }, badMap.io)).toBe(2);
  });

  it('prints a table without --json', async () => {
    const c = io();
    await runScan(['127.0.0.101'], { portMap: PORT_MAP, timeout: '400' }, c.io);
    const text = c.out.join('');
    expect(text).toContain('127.0.0.101');
    expect(text).toContain('S19 Pro');
    expect(text).toContain('1 miner(s) in 1 address(es)');
  });
});
