import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirmwareProfile } from '../../../agent/src/fleet/firmware-profile.js';
import { identify, readMiner } from '../../../agent/src/fleet/miner-reader.js';
import { loadProfiles } from '../../../agent/src/fleet/profiles.js';
import { readFixture } from '../../support/fixtures.js';
import { cgminerServer, garbageServer, httpServer, v3Server, type Listening } from './replay-servers.js';

// Each simulated device has its own loopback address; all share one port map, as a scan would.
const base = 20000 + Math.floor(Math.random() * 20000);
const PORTS = { 4028: base, 80: base + 1, 4433: base + 2 } as const;
const f = (rel: string): string => readFixture(`asics/${rel}`);
const LUX_VERSION =
  '{"STATUS":[{"STATUS":"S","When":1760242394,"Code":22,"Msg":"LUXminer versions","Description":"LUXminer 2025.4.8.220305-57b389c7"}],"VERSION":[{"API":"3.7","LUXminer":"2025.4.8.220305-57b389c7","Type":"Antminer S19k Pro"}],"id":1}';

const servers: Listening[] = [];
let profiles: FirmwareProfile[] = [];

beforeAll(async () => {
  const p = loadProfiles();
  if (!p.ok) throw new Error(p.error.message);
  profiles = p.value;
  const at = (n: number) => `127.0.0.${n}`;
  servers.push(
    // stock Antminer S19 Pro, API plus the digest-protected web UI
    await cgminerServer(
      {
        version: f('antminer-stock/foreman-s19-overheating-version.txt'),
        stats: f('antminer-stock/foreman-s19-overheating-stats.txt'),
        pools: f('antminer-stock/foreman-s19-overheating-pools.txt'),
      },
      at(11),
      PORTS[4028],
    ),
    await httpServer(
      {
        'GET /cgi-bin/get_system_info.cgi': () => ({
          status: 200,
          body: f('antminer-stock/asicrs-s21-stock-get-system-info-cgi.json'),
        }),
      },
      {
        digest: { realm: 'antMiner Configuration', user: 'root', password: 'root' },
        host: at(11),
        port: PORTS[80],
      },
    ),
    // Braiins OS+ S9
    await cgminerServer(
      {
        version: f('braiins-os/foreman-s9-bosplus-version.txt'),
        summary: f('braiins-os/foreman-s9-bosplus-summary.txt'),
        devs: f('braiins-os/foreman-s9-bosplus-devs.txt'),
        temps: f('braiins-os/foreman-s9-bosplus-temps.txt'),
        fans: f('braiins-os/foreman-s9-bosplus-fans.txt'),
        pools: f('braiins-os/foreman-s9-bosplus-pools.txt'),
      },
      at(12),
      PORTS[4028],
    ),
    // Whatsminer M30S (btminer v2: `version` is an invalid command there)
    await cgminerServer(
      {
        version: f('whatsminer/doc-bitlink-version-invalid-cmd.txt'),
        summary: f('whatsminer/foreman-m30s-summary.txt'),
        edevs: f('whatsminer/foreman-m30s-edevs.txt'),
        pools: f('whatsminer/foreman-m30s-pools.txt'),
      },
      at(13),
      PORTS[4028],
    ),
    // AvalonMiner 1566
    await cgminerServer(
      {
        version: f('avalon/pyasic-1566-fw24102401-version.json'),
        stats: f('avalon/pyasic-1566-fw24102401-stats.json'),
        pools: f('avalon/pyasic-1566-fw24102401-pools.json'),
      },
      at(14),
      PORTS[4028],
    ),
    // VNish S19 XP (no version capture: the device answers the error)
    await cgminerServer(
      {
        stats: f('vnish/minerinfo-s19xp-vnish-1.2.0-rc1-stats.txt'),
        pools: f('vnish/minerinfo-s19xp-vnish-1.2.0-rc1-pools.txt'),
        summary: f('vnish/minerinfo-s19xp-vnish-1.2.0-rc1-summary.txt'),
      },
      at(15),
      PORTS[4028],
    ),
    // LuxOS S19k Pro
    await cgminerServer(
      {
        version: LUX_VERSION,
        power: f('luxos/asicrs-s19kpro-2025.4.8-power.json'),
        pools: f('antminer-stock/foreman-s19-overheating-pools.txt'),
      },
      at(16),
      PORTS[4028],
    ),
    // Bitaxe Gamma
    await httpServer(
      {
        'GET /api/system/info': () => ({
          status: 200,
          body: f('axeos/osmu-gamma-601-v2.12.2-system-info.json'),
        }),
        'GET /api/system/asic': () => ({ status: 200, body: f('axeos/osmu-gamma-system-asic.json') }),
      },
      { host: at(17), port: PORTS[80] },
    ),
    // Whatsminer M60S on API v3
    await v3Server(
      {
        'get.device.info': f('whatsminer/asicrs-btminer-apiv3-get-device-info.json'),
        'get.miner.status summary': f('whatsminer/asicrs-btminer-apiv3-get-miner-status-summary.json'),
        'get.miner.status edevs': f('whatsminer/asicrs-btminer-apiv3-get-miner-status-edevs.json'),
        'get.miner.status pools': f('whatsminer/asicrs-btminer-apiv3-get-miner-status-pools.json'),
      },
      at(18),
      PORTS[4433],
    ),
    // not miners: a web page, and bytes that are not an API
    await httpServer(
      {
        'GET *': () => ({
          status: 200,
          headers: { 'Content-Type': 'text/html' },
          body: '<html><title>Router</title></html>',
        }),
      },
      { host: at(19), port: PORTS[80] },
    ),
    await garbageServer(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), at(20), PORTS[4028]),
    // Hiveon on an S9: stock-looking bmminer, told apart by its Type
    await cgminerServer(
      {
        version: f('hiveon/foreman-s9-hiveon-version.txt'),
        stats: f('hiveon/foreman-s9-hiveon-stats.txt'),
        pools: f('hiveon/foreman-s9-hiveon-pools.txt'),
      },
      at(23),
      PORTS[4028],
    ),
    // Antminer with its API switched off: only the web UI answers, 401 with the Digest realm
    await httpServer(
      {
        'GET /cgi-bin/get_system_info.cgi': () => ({
          status: 200,
          body: f('antminer-stock/asicrs-s21-stock-get-system-info-cgi.json'),
        }),
        'GET /': () => ({ status: 200, body: '<html>antMiner</html>' }),
      },
      {
        digest: { realm: 'antMiner Configuration', user: 'root', password: 'root' },
        host: at(22),
        port: PORTS[80],
      },
    ),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const opts = () => ({ profiles, portMap: PORTS, probeTimeoutMs: 1000, hostTimeoutMs: 5000 });

describe('identify and read each make', () => {
  it('stock Antminer: model from Type, firmware version from the digest-protected CGI', async () => {
    const r = await readMiner('127.0.0.11', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      model: 'S19 Pro',
      firmware: 'stock',
      firmwareVersion: 'FR-1.12(251009-S21)',
      hashrateThs: 0,
      uptimeS: 12122,
    });
    expect(r.value.boards.map((b) => b.tempC)).toEqual([93, 94, 97]);
    expect(r.value.fans).toHaveLength(4);
  });

  it('Braiins OS+', async () => {
    const r = await readMiner('127.0.0.12', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      firmware: 'braiins',
      firmwareVersion: '0.2.0-36c56a9363',
    });
    expect(r.value.hashrateThs).toBeCloseTo(15.740916, 6);
    expect(r.value.fans).toEqual([2820, 3780]);
  });

  it('Whatsminer v2', async () => {
    const r = await readMiner('127.0.0.13', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'whatsminer',
      firmware: 'stock',
      firmwareVersion: '20200512.13.REL',
      powerW: 3230,
    });
    expect(r.value.hashrateThs).toBeCloseTo(85.03843, 5);
    expect(r.value.boards).toHaveLength(3);
  });

  it('Avalon', async () => {
    const r = await readMiner('127.0.0.14', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'avalon',
      model: '15-194',
      firmware: 'stock',
      firmwareVersion: '24102401_25462b2_9ddf522',
      powerW: 3731,
    });
    expect(r.value.hashrateThs).toBeCloseTo(199.24107, 5);
  });

  it('VNish: recognised from the stats Type before stock Antminer', async () => {
    const r = await readMiner('127.0.0.15', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      model: 'S19 XP',
      firmware: 'vnish',
      firmwareVersion: '1.2.0-rc1',
    });
    expect(r.value.hashrateThs).toBeCloseTo(140.25858, 5);
  });

  it('LuxOS', async () => {
    const r = await readMiner('127.0.0.16', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      model: 'S19k Pro',
      firmware: 'luxos',
      firmwareVersion: '2025.4.8.220305-57b389c7',
      powerW: 1051,
    });
  });

  it('AxeOS Bitaxe', async () => {
    const r = await readMiner('127.0.0.17', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'bitaxe',
      model: 'Gamma',
      firmware: 'axeos',
      firmwareVersion: 'v2.12.2',
      uptimeS: 18574,
    });
    expect(r.value.hashrateThs).toBeCloseTo(1.072241, 6);
  });

  it('Whatsminer v3 (length-prefixed API on 4433)', async () => {
    const r = await readMiner('127.0.0.18', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'whatsminer',
      model: 'M60S',
      firmware: 'stock',
      firmwareVersion: '20251209.16.Rel2',
      hashrateThs: 171.259,
      powerW: 3156,
    });
    expect(r.value.pools).toHaveLength(3);
  });

  it('an Antminer whose API is off is still identified by its Digest realm; status stays empty', async () => {
    const r = await readMiner('127.0.0.22', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      model: 'S21',
      firmware: 'stock',
      firmwareVersion: 'FR-1.12(251009-S21)',
      hashrateThs: null,
      boards: [],
      pools: [],
    });
  });

  it('Hiveon is not mistaken for stock firmware', async () => {
    const r = await readMiner('127.0.0.23', opts());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({
      make: 'antminer',
      model: 'S9',
      firmware: 'hiveon',
      firmwareVersion: '2.0.0 rwglr',
    });
    expect(r.value.hashrateThs).toBeCloseTo(11.7814, 6);
  });

  it('a web page, an SSH banner and an empty address are not miners', async () => {
    for (const host of ['127.0.0.19', '127.0.0.20', '127.0.0.21']) {
      const r = await identify(host, opts());
      expect(r.ok, host).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('NOT_A_MINER');
    }
  });
});
