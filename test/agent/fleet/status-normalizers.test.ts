import { describe, expect, it } from 'vitest';
import { parseCgminerReply, type JsonObject } from '../../../agent/src/fleet/cgminer-reply.js';
import type { ReplySet } from '../../../agent/src/fleet/miner-status.js';
import { normalizeStatus } from '../../../agent/src/fleet/status-normalizer.js';
import { readFixture, readFixtureJson } from '../../support/fixtures.js';

function reply(rel: string): JsonObject {
  const r = parseCgminerReply(readFixture(`asics/${rel}`) + '\0');
  if (!r.ok) throw new Error(`${rel}: ${r.error.code} ${r.error.message}`);
  if (r.value.form === 'plain') throw new Error(`${rel}: plain text`);
  return r.value.data;
}

function replies(map: Record<string, string>): ReplySet {
  return Object.fromEntries(Object.entries(map).map(([k, f]) => [k, reply(f)]));
}

describe('Antminer layout (stock, VNish, Hiveon)', () => {
  it('S19 Pro overheating: 3 boards, hottest chip sensor per board, 4 fans, 1 configured pool', () => {
    const s = normalizeStatus(
      'antminer',
      replies({
        stats: 'antminer-stock/foreman-s19-overheating-stats.txt',
        pools: 'antminer-stock/foreman-s19-overheating-pools.txt',
      }),
    );
    expect(s.hashrateThs).toBe(0); // GHS 5s is 0.0 while it overheats
    expect(s.boards).toEqual([
      { index: 0, hashrateThs: 0, tempC: 93, chips: 114 },
      { index: 1, hashrateThs: 0, tempC: 94, chips: 114 },
      { index: 2, hashrateThs: 0, tempC: 97, chips: 114 },
    ]);
    expect(s.fans).toEqual([5160, 5280, 6240, 6120]);
    expect(s.pools).toEqual([
      { url: 'stratum+tcp://aaa.com:9999#xnsub', user: 'aaa.bb', status: 'Alive', priority: 0 },
    ]);
    expect(s.uptimeS).toBe(12122);
  });

  it('S9 with `}{`, GHS 5s as a string and a broken -83 sensor', () => {
    const s = normalizeStatus(
      'antminer',
      replies({
        stats: 'antminer-stock/foreman-s9-bad-temps-stats.txt',
        pools: 'antminer-stock/foreman-s9-bad-temps-pools.txt',
      }),
    );
    expect(s.hashrateThs).toBeCloseTo(13.88381, 6);
    expect(s.boards.map((b) => b.chips)).toEqual([63, 63, 63]);
    expect(s.boards.map((b) => b.tempC)).toEqual([62, undefined, 62]);
    expect(s.boards[0]?.hashrateThs).toBeCloseTo(4.61885, 6);
    expect(s.fans).toEqual([3720, 2400]);
    expect(s.uptimeS).toBe(293628);
    expect(s.errors?.[0]).toMatch(/^hardware errors: \d+$/);
  });

  it('VNish S19 XP: 140.26 TH/s, chips 110 per board, temp_chip "52-75"', () => {
    const s = normalizeStatus(
      'antminer',
      replies({
        stats: 'vnish/minerinfo-s19xp-vnish-1.2.0-rc1-stats.txt',
        pools: 'vnish/minerinfo-s19xp-vnish-1.2.0-rc1-pools.txt',
      }),
    );
    expect(s.hashrateThs).toBeCloseTo(140.25858, 6);
    expect(s.boards).toEqual([
      { index: 0, hashrateThs: 47.01668, tempC: 75, chips: 110 },
      { index: 1, hashrateThs: 47.26292, tempC: 72, chips: 110 },
      { index: 2, hashrateThs: 45.97898, tempC: 74, chips: 110 },
    ]);
    expect(s.fans).toEqual([2790, 2850, 2940, 2910]);
    expect(s.pools.map((p) => p.url)).toEqual([
      'stratum+tcp://eu.ss.btc.com:1800',
      'stratum+tcp://eu.ss.btc.com:443',
      'stratum+tcp://eu.ss.btc.com:25',
      'DevFee',
    ]);
    expect(s.pools[2]?.status).toBe('Dead');
  });

  it('Hiveon S9 (`}{` quirk): chains 6-8 become boards 0-2', () => {
    const s = normalizeStatus('antminer', replies({ stats: 'hiveon/foreman-s9-hiveon-stats.txt' }));
    expect(s.hashrateThs).toBeCloseTo(11.7814, 6);
    expect(s.boards.map((b) => [b.hashrateThs, b.tempC])).toEqual([
      [3.91164, 74],
      [3.9137, 65],
      [3.95605, 72],
    ]);
    expect(s.fans).toEqual([3840, 4920]);
  });

  it('LuxOS: power command adds watts, events become errors', () => {
    const s = normalizeStatus(
      'luxos',
      replies({
        power: 'luxos/asicrs-s19kpro-2025.4.8-power.json',
        events: 'luxos/asicrs-s19kpro-2025.4.8-events.json',
      }),
    );
    expect(s.powerW).toBe(1051);
    expect(s.errors).toEqual([
      'NOPIC_PROTECTION: Miner shutdown due to NOPIC protection.',
      'REBOOT_NOT_HASHING: Board reboot due to it not hashing.',
    ]);
  });
});

describe('every `}{` quirk file reads to its numbers', () => {
  // Expected values computed independently (rate = GHS 5s / 1000 in the device's own unit, chains with chips, fans > 0).
  const cases: [string, number, number[], number[], number][] = [
    ['antminer-stock/foreman-d3-stats.txt', 16.34664, [60, 60, 60], [6030, 5790], 54422],
    ['antminer-stock/foreman-l3-stats-2.txt', 0, [72, 72, 72, 72], [3840, 3810], 393983],
    ['antminer-stock/foreman-l3-stats.txt', 0.50456, [72, 72, 72, 72], [3840, 3810], 393983],
    ['antminer-stock/foreman-s9-bad-temps-stats.txt', 13.88381, [63, 63, 63], [3720, 2400], 293628],
    ['antminer-stock/foreman-z11-chipless-stats.txt', 145.47439, [3, 3, 3], [3000, 3000], 20578],
    ['antminer-stock/foreman-z11-stats.txt', 0.14154, [3, 3, 3], [5640, 5760], 68493],
    ['antminer-thirdparty/foreman-s9-mskminer-stats.txt', 9.039731, [63, 63, 63], [5280], 16],
    ['hiveon/foreman-s9-hiveon-stats-2.txt', 11.81391, [63, 63, 63], [3360, 4440], 136],
    ['hiveon/foreman-s9-hiveon-stats.txt', 11.7814, [63, 63, 63], [3840, 4920], 69],
    ['vnish/foreman-s9-nicehash-stats.txt', 12.79548, [63, 63, 63], [5400, 5880], 3617],
  ];
  it.each(cases)('%s', (file, rate, chips, fans, uptime) => {
    const s = normalizeStatus('antminer', replies({ stats: file }));
    expect(s.hashrateThs).toBeCloseTo(rate, 6);
    expect(s.boards.map((b) => b.chips)).toEqual(chips);
    expect(s.fans).toEqual(fans);
    expect(s.uptimeS).toBe(uptime);
  });
});

describe('Whatsminer', () => {
  it('M30S v2 API: MH/s summary, 3 edevs boards, in/out fans, power, error code', () => {
    const s = normalizeStatus(
      'whatsminer',
      replies({
        summary: 'whatsminer/foreman-m30s-summary.txt',
        edevs: 'whatsminer/foreman-m30s-edevs.txt',
        pools: 'whatsminer/foreman-m30s-pools.txt',
      }),
    );
    expect(s.hashrateThs).toBeCloseTo(85.03843, 5);
    expect(s.boards.map((b) => b.tempC)).toEqual([80, 72, 72.5]);
    expect(s.boards.map((b) => b.chips)).toEqual([156, 156, 156]);
    expect(s.boards[0]?.hashrateThs).toBeCloseTo(29.376599, 5);
    expect(s.fans).toEqual([2370, 2430]);
    expect(s.powerW).toBe(3230);
    expect(s.uptimeS).toBe(29600);
    expect(s.errors).toEqual(['205']);
    expect(s.pools.map((p) => p.url)).toEqual([
      'stratum+tcp://sha256asicboost.eu.nicehash.com:3368',
      'stratum+tcp://sha256asicboost.hk.nicehash.com:3368',
      'stratum+tcp://eu.stratum.slushpool.com:3333',
    ]);
  });

  it('v3 API (get.miner.status): TH/s with dashed keys', () => {
    const s = normalizeStatus('whatsminer', {
      'get.miner.status summary': readFixtureJson<JsonObject>(
        'asics/whatsminer/asicrs-btminer-apiv3-get-miner-status-summary.json',
      ),
      'get.miner.status edevs': readFixtureJson<JsonObject>(
        'asics/whatsminer/asicrs-btminer-apiv3-get-miner-status-edevs.json',
      ),
      'get.miner.status pools': readFixtureJson<JsonObject>(
        'asics/whatsminer/asicrs-btminer-apiv3-get-miner-status-pools.json',
      ),
    });
    expect(s.hashrateThs).toBe(171.259);
    expect(s.boards.map((b) => [b.hashrateThs, b.tempC, b.chips])).toEqual([
      [57.1, 74, 75],
      [56.8, 75, 75],
      [expect.any(Number), 76, 75],
    ]);
    expect(s.fans).toEqual([5400, 5280]);
    expect(s.powerW).toBe(3156);
    expect(s.uptimeS).toBe(50000);
    expect(s.pools[0]).toEqual({
      url: 'stratum+tcp://btc.example.pool:3333',
      user: 'asic-rs.test',
      status: 'alive',
      priority: 0,
    });
  });
});

describe('Braiins OS', () => {
  it('S9 bOS+: MH/s summary, boards joined by ID across devs/temps, two spinning fans', () => {
    const s = normalizeStatus(
      'braiins',
      replies({
        summary: 'braiins-os/foreman-s9-bosplus-summary.txt',
        devs: 'braiins-os/foreman-s9-bosplus-devs.txt',
        temps: 'braiins-os/foreman-s9-bosplus-temps.txt',
        fans: 'braiins-os/foreman-s9-bosplus-fans.txt',
        pools: 'braiins-os/foreman-s9-bosplus-pools.txt',
      }),
    );
    expect(s.hashrateThs).toBeCloseTo(15.740916, 6);
    expect(s.boards.map((b) => b.tempC)).toEqual([75, 63, 70]);
    expect(s.boards[0]?.hashrateThs).toBeCloseTo(4.683071, 6);
    expect(s.fans).toEqual([2820, 3780]);
    expect(s.uptimeS).toBe(3680);
    expect(s.pools.length).toBeGreaterThan(0);
  });

  it('BOSer devdetails gives chips per board', () => {
    const s = normalizeStatus(
      'braiins',
      replies({ devdetails: 'braiins-os/issue-pyasic39-boser-s19j-devdetails.json' }),
    );
    expect(s.boards.length).toBe(3);
    expect(s.boards.every((b) => typeof b.chips === 'number' && b.chips > 0)).toBe(true);
  });
});

describe('Braiins OS REST (25.07 and later)', () => {
  const rest = (v: string): ReplySet => ({
    'GET /api/v1/miner/stats': reply(`braiins-os/asicrs-bos-${v}-rest-miner-stats.json`),
    'GET /api/v1/miner/hw/hashboards': reply(`braiins-os/asicrs-bos-${v}-rest-miner-hw-hashboards.json`),
    'GET /api/v1/cooling/state': reply(`braiins-os/asicrs-bos-${v}-rest-cooling-state.json`),
    'GET /api/v1/pools': reply(`braiins-os/asicrs-bos-${v}-rest-pools.json`),
    'GET /api/v1/miner/details': reply(`braiins-os/asicrs-bos-${v}-rest-miner-details.json`),
  });
  // Expected values computed independently from the files (gigahash objects / 1000, hottest chip per board).
  const cases: [string, number, [number, number, number][], number[], number, number][] = [
    [
      '25.07',
      141.463565,
      [
        [50.137729, 70.5, 110],
        [47.859278, 67, 110],
        [50.36269, 69, 110],
      ],
      [5904, 5874, 5874, 5904],
      69685,
      3137,
    ],
    [
      '25.11',
      121.015409,
      [
        [44.372605, 71.5, 110],
        [41.175047, 69.5, 110],
        [38.244629, 71, 110],
      ],
      [5879, 5819, 5909, 5909],
      20359,
      2472,
    ],
    [
      '26.04',
      248.186677,
      [
        [83.168431, 65.375, 65],
        [86.699326, 63.5625, 65],
        [84.138263, 63.5, 65],
      ],
      [5943, 5943, 5943, 5973],
      7039,
      3480,
    ],
  ];
  it.each(cases)('BOS %s', (v, rate, boards, fans, uptime, watts) => {
    const s = normalizeStatus('braiins', rest(v));
    expect(s.hashrateThs).toBeCloseTo(rate, 6);
    expect(s.boards.map((b) => [b.hashrateThs, b.tempC, b.chips])).toEqual(boards);
    expect(s.fans).toEqual(fans);
    expect(s.uptimeS).toBe(uptime);
    expect(s.powerW).toBe(watts);
    expect(s.pools).toEqual([
      { url: 'stratum+tcp://example.pool.com:3333', user: 'asic_rs.test', status: 'Active', priority: 0 },
      { url: 'stratum+tcp://example.pool2.com:3333', user: 'asic_rs.test', status: 'Alive', priority: 1 },
    ]);
  });
});

describe('Braiins OS+ GraphQL (21.09 to 25.03 builds)', () => {
  const gql = (v: string): ReplySet => ({
    'POST /graphql system': reply(`braiins-os/asicrs-bos-${v}-gql-system.json`),
    'POST /graphql boards': reply(`braiins-os/asicrs-bos-${v}-gql-boards.json`),
    'POST /graphql pools': reply(`braiins-os/asicrs-bos-${v}-gql-pools.json`),
  });
  // Expected values computed independently (mhs5S / 10^6, hottest chip sensor, fans > 0).
  const cases: [string, number, number[], number[], number[], number, number, string[]][] = [
    [
      '21.09',
      7.160209,
      [2.96695, 3.022859, 2.946869],
      [81.625, 89.25, 80],
      [4080, 5580],
      1189,
      735,
      ['Active', 'Active'],
    ],
    [
      '24.09',
      230.700949,
      [74.099684, 82.52021, 74.457706],
      [71.4375, 68.375, 67.9375],
      [6414, 6414, 6354, 6324],
      717641,
      3572,
      ['Active', 'Alive'],
    ],
    [
      '25.03',
      251.235331,
      [83.918106, 83.283682, 83.30116],
      [75],
      [6418, 6448, 6328, 5998],
      96949,
      4448,
      ['Active', 'Alive'],
    ],
  ];
  it.each(cases)('BOS %s', (v, rate, boardRates, firstTemps, fans, uptime, watts, statuses) => {
    const s = normalizeStatus('braiins', gql(v));
    expect(s.hashrateThs).toBeCloseTo(rate, 6);
    expect(s.boards.map((b) => b.hashrateThs)).toEqual(boardRates);
    expect(s.boards.slice(0, firstTemps.length).map((b) => b.tempC)).toEqual(firstTemps);
    expect(s.boards.every((b) => typeof b.chips === 'number' && b.chips > 0)).toBe(true);
    expect(s.fans).toEqual(fans);
    expect(s.uptimeS).toBe(uptime);
    expect(s.powerW).toBe(watts);
    expect(s.pools.map((p) => p.status)).toEqual(statuses);
  });
});

describe('Avalon', () => {
  it('AvalonMiner 1566: GHSspd total, MGHS/MTavg per board, Fan1/Fan2, WALLPOWER', () => {
    const s = normalizeStatus(
      'avalon',
      replies({
        stats: 'avalon/pyasic-1566-fw24102401-stats.json',
        pools: 'avalon/pyasic-1566-fw24102401-pools.json',
      }),
    );
    expect(s.hashrateThs).toBeCloseTo(199.24107, 6);
    expect(s.boards).toEqual([
      { index: 0, hashrateThs: 59.45952, tempC: 69 },
      { index: 1, hashrateThs: 61.40783, tempC: 70 },
      { index: 2, hashrateThs: 63.13966, tempC: 71 },
    ]);
    expect(s.fans).toEqual([4275, 4282]);
    expect(s.powerW).toBe(3731);
    expect(s.uptimeS).toBe(975);
    expect(s.pools[0]?.url).toBe('stratum+tcp://stratum.pool.io:3333');
  });

  it('Avalon 8xx: one board per module (MM ID1..3), GHSmm summed', () => {
    const s = normalizeStatus('avalon', replies({ stats: 'avalon/foreman-8xx-stats.txt' }));
    expect(s.hashrateThs).toBeCloseTo((13646.2 + 11609.65 + 11513.45) / 1000, 6);
    expect(s.boards.map((b) => b.tempC)).toEqual([84, 85, 83]);
    expect(s.fans).toEqual([5730, 5850, 5610]);
  });
});

describe('AxeOS', () => {
  it('Bitaxe Gamma: GH/s hashRate, bare-host pools with their ports, fallback active', () => {
    const s = normalizeStatus('axeos', {
      'GET /api/system/info': readFixtureJson<JsonObject>(
        'asics/axeos/osmu-gamma-601-v2.12.2-system-info.json',
      ),
    });
    expect(s.hashrateThs).toBeCloseTo(1.072241, 6);
    expect(s.boards).toEqual([{ index: 0, hashrateThs: s.hashrateThs, tempC: 60.125 }]);
    expect(s.fans).toEqual([3915]);
    expect(s.uptimeS).toBe(18574);
    expect(s.powerW).toBe(18.75);
    expect(s.pools).toEqual([
      {
        url: 'stratum+tcp://public-pool.io:21496',
        user: 'bc1qnp980s5fpp8l94p5cvttmtdqy8rvrq74qly2yrfmzkdsntqzlc5qkc4rkq.bitaxe',
        status: 'Standby',
        priority: 0,
      },
      {
        url: 'stratum+tcp://solo.ckpool.org:3333',
        user: 'bc1qnp980s5fpp8l94p5cvttmtdqy8rvrq74qly2yrfmzkdsntqzlc5qkc4rkq.bitaxe',
        status: 'Active',
        priority: 1,
      },
    ]);
  });
});

interface ManifestFile {
  file: string;
  request: string;
}

const FOLDER_NORMALIZER: Record<string, Parameters<typeof normalizeStatus>[0]> = {
  'antminer-stock': 'antminer',
  'antminer-thirdparty': 'antminer',
  hiveon: 'antminer',
  vnish: 'antminer',
  luxos: 'luxos',
  'braiins-os': 'braiins',
  whatsminer: 'whatsminer',
  avalon: 'avalon',
};
const STATUS_COMMANDS = new Set([
  'stats',
  'estats',
  'summary',
  'pools',
  'edevs',
  'devs',
  'temps',
  'fans',
  'devdetails',
  'power',
]);

describe('every file in asics/', () => {
  const manifest = readFixtureJson<{ files: ManifestFile[] }>('asics/manifest.json');

  it('parses every file to a typed result without throwing; every 4028 reply is readable', () => {
    let readable = 0;
    for (const f of manifest.files) {
      const r = parseCgminerReply(
        Buffer.concat([Buffer.from(readFixture(`asics/${f.file}`)), Buffer.from([0])]),
      );
      expect(typeof r.ok, f.file).toBe('boolean');
      if (!r.ok) expect(['EMPTY_REPLY', 'UNREADABLE_REPLY'], f.file).toContain(r.error.code);
      if (f.request.startsWith('TCP 4028')) expect(r.ok, f.file).toBe(true);
      if (r.ok) readable++;
    }
    expect(readable).toBeGreaterThan(manifest.files.length - 3);
  });

  it('every cgminer status reply of a known make normalizes to numbers that make sense', () => {
    let checked = 0;
    for (const f of manifest.files) {
      const folder = f.file.split('/')[0] as string;
      const normalizer = FOLDER_NORMALIZER[folder];
      const cmd = /^TCP 4028[^{]*\{"(?:command|cmd)":"([^"]+)"/.exec(f.request)?.[1];
      if (!normalizer || !cmd || !STATUS_COMMANDS.has(cmd)) continue;
      const r = parseCgminerReply(readFixture(`asics/${f.file}`));
      if (!r.ok || r.value.form === 'plain') throw new Error(`${f.file} unreadable`);
      if (r.value.status?.status === 'E') continue; // an error reply carries no status
      const s = normalizeStatus(normalizer, { [cmd]: r.value.data });
      checked++;
      if (cmd === 'pools') {
        for (const p of s.pools) expect(p.url.length, f.file).toBeGreaterThan(0);
        expect(s.pools.length, f.file).toBeGreaterThan(0);
      }
      if (cmd === 'summary' && normalizer !== 'antminer') expect(s.hashrateThs, f.file).not.toBeNull();
      if ((cmd === 'stats' || cmd === 'estats') && (normalizer === 'antminer' || normalizer === 'avalon')) {
        expect(s.hashrateThs, f.file).not.toBeNull();
        expect(s.hashrateThs as number, f.file).toBeGreaterThanOrEqual(0);
        // A sleeping miner reports no hashing chains.
        if (!f.file.includes('sleeping')) expect(s.boards.length, f.file).toBeGreaterThan(0);
      }
      if (cmd === 'temps')
        expect(
          s.boards.some((b) => typeof b.tempC === 'number'),
          f.file,
        ).toBe(true);
      if (cmd === 'fans') expect(s.fans.length, f.file).toBeGreaterThan(0);
      if ((cmd === 'edevs' || cmd === 'devs') && normalizer !== 'avalon')
        expect(s.boards.length, f.file).toBeGreaterThan(0);
    }
    expect(checked).toBeGreaterThan(60);
  });
});
