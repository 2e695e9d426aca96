import { ok, Msg, type Fields, type Reply } from './cgminer-format.js';
import { poolRecords } from './cgminer-pools.js';
import type { CgminerDialect } from './makes.js';
import type { SimMiner } from './sim-miner.js';
import { telemetryAt } from './telemetry.js';

// Read commands per firmware dialect, with the field names and quirks of the real replies in
// shared/fixtures/asics (bmminer S9, BOSminer+ 0.2.0, btminer M31S, Avalon 1566 on cgminer 4.11.1).

export const DESCRIPTION: Record<CgminerDialect, string> = {
  bmminer: 'bmminer 1.0.0',
  bosminer: 'BOSminer+ 0.2.0-36c56a9363',
  btminer: 'btminer',
  avalon: 'cgminer 4.11.1',
};

const r2 = (x: number) => Math.round(x * 100) / 100;

interface Live {
  readonly now: number;
  readonly elapsed: number;
  readonly mhs5s: number;
  readonly mhs1m: number;
  readonly mhs5m: number;
  readonly mhs15m: number;
  readonly mhsAv: number;
  readonly mining: boolean;
}

function live(m: SimMiner, now: number): Live {
  const mhs = (w: number) => m.stats.hashrate(w, now) / 1e6;
  return {
    now,
    elapsed: Math.floor((now - m.bootedAt) / 1000),
    mhs5s: mhs(5_000),
    mhs1m: mhs(60_000),
    mhs5m: mhs(300_000),
    mhs15m: mhs(900_000),
    mhsAv: m.stats.hashrateAverage(now) / 1e6,
    mining: m.activePool >= 0,
  };
}

function sharesCommon(m: SimMiner): Fields {
  const s = m.stats;
  const total = s.difficultyAccepted + s.difficultyRejected;
  return {
    Accepted: s.accepted,
    Rejected: s.rejected,
    'Hardware Errors': s.hardwareErrors,
    'Difficulty Accepted': s.difficultyAccepted,
    'Difficulty Rejected': s.difficultyRejected,
    'Difficulty Stale': 0,
    'Best Share': Math.floor(s.bestShare),
    'Pool Rejected%': total > 0 ? r2((100 * s.difficultyRejected) / total) : 0,
    'Pool Stale%': 0,
  };
}

export function readReply(
  m: SimMiner,
  dialect: CgminerDialect,
  command: string,
  now: number,
): Reply | undefined {
  const l = live(m, now);
  const t = telemetryAt(m.profile, m.seed, now, l.mining);
  const pools = () => ({
    status: ok(7, `${m.pools.length} Pool(s)`),
    sections: [['POOLS', poolRecords(m, dialect, now)]] as const,
  });
  if (command === 'pools') return pools();
  if (command === 'config') {
    return {
      status: ok(33, 'CGMiner config'),
      sections: [
        [
          'CONFIG',
          [
            {
              'ASC Count': m.profile.boards,
              'PGA Count': 0,
              'Pool Count': m.pools.length,
              Strategy: 'Failover',
              'Log Interval': 5,
              'Device Code': '',
              OS: 'Linux',
              'Failover-Only': true,
              ScanTime: 60,
              Queue: 1,
              Expiry: 120,
            },
          ],
        ],
      ],
    };
  }
  switch (dialect) {
    case 'bmminer':
      return bmminer(m, command, l, t);
    case 'bosminer':
      return bosminer(m, command, l, t);
    case 'btminer':
      return btminer(m, command, l, t);
    case 'avalon':
      return avalon(m, command, l, t);
  }
}

type T = ReturnType<typeof telemetryAt>;

function bmminer(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
  const ghs5s = (l.mhs5s / 1000).toFixed(2);
  const ghsAv = r2(l.mhsAv / 1000);
  if (command === 'version') {
    return {
      status: ok(22, 'BMMiner versions'),
      sections: [
        [
          'VERSION',
          [
            {
              BMMiner: '2.0.0',
              API: '3.1',
              Miner: '16.8.1.3',
              CompileTime: 'Fri Nov 17 17:37:49 CST 2017',
              Type: m.profile.model,
            },
          ],
        ],
      ],
    };
  }
  if (command === 'summary') {
    return {
      status: ok(11, 'Summary'),
      sections: [
        [
          'SUMMARY',
          [
            {
              Elapsed: l.elapsed,
              'GHS 5s': ghs5s,
              'GHS av': ghsAv,
              'Found Blocks': 0,
              Getworks: 0,
              ...sharesCommon(m),
              Utility: 0,
              Discarded: 0,
              Stale: 0,
              'Get Failures': 0,
              'Local Work': 0,
              'Remote Failures': 0,
              'Network Blocks': 0,
              'Total MH': r2(l.mhsAv * l.elapsed),
              'Work Utility': 0,
              'Device Hardware%': 0,
              'Device Rejected%': 0,
              'Last getwork': Math.floor(l.now / 1000),
            },
          ],
        ],
      ],
    };
  }
  if (command === 'stats') {
    // Old bmminer glues the two STATS objects with no comma: "}{". Readers must cope.
    const head = {
      BMMiner: '2.0.0',
      Miner: '16.8.1.3',
      CompileTime: 'Fri Nov 17 17:37:49 CST 2017',
      Type: m.profile.model,
    };
    const s: Fields = {
      STATS: 0,
      ID: 'BC50',
      Elapsed: l.elapsed,
      Calls: 0,
      Wait: 0,
      Max: 0,
      Min: 99999999,
      'GHS 5s': ghs5s,
      'GHS av': ghsAv,
      miner_count: m.profile.boards,
      frequency: '650',
      fan_num: m.profile.fans,
    };
    for (let i = 1; i <= 8; i++) s[`fan${i}`] = i <= t.fansRpm.length ? t.fansRpm[i - 1]! : 0;
    s['temp_num'] = m.profile.boards;
    for (let i = 1; i <= 16; i++) s[`temp${i}`] = Math.round(t.boards[i - 1]?.board ?? 0);
    for (let i = 1; i <= 16; i++) s[`temp2_${i}`] = Math.round(t.boards[i - 1]?.chip ?? 0);
    s['temp_max'] = Math.max(...t.boards.map((b) => Math.round(b.board)));
    s['Device Hardware%'] = 0;
    s['no_matching_work'] = 0;
    for (let i = 1; i <= 16; i++) s[`chain_acn${i}`] = i <= m.profile.boards ? 63 : 0;
    for (let i = 1; i <= 16; i++)
      s[`chain_acs${i}`] =
        i <= m.profile.boards
          ? ' oooooooo oooooooo oooooooo oooooooo oooooooo oooooooo oooooooo ooooooo'
          : '';
    for (let i = 1; i <= 16; i++) s[`chain_hw${i}`] = 0;
    for (let i = 1; i <= 16; i++)
      s[`chain_rate${i}`] = i <= m.profile.boards ? (l.mhs5s / 1000 / m.profile.boards).toFixed(2) : '';
    const status = {
      STATUS: 'S',
      When: Math.floor(l.now / 1000),
      Code: 70,
      Msg: 'BMMiner stats',
      Description: DESCRIPTION.bmminer,
    };
    const rawJson = `{"STATUS":[${JSON.stringify(status)}],"STATS":[${JSON.stringify(head)}${JSON.stringify(s)}],"id":1}`;
    return { status: ok(70, 'BMMiner stats'), sections: [['STATS', [head, s]]], rawJson };
  }
  if (command === 'devs') {
    const devs = t.boards.map((b, i) => ({
      ASC: i,
      Name: 'BC5',
      ID: i,
      Enabled: 'Y',
      Status: 'Alive',
      Temperature: b.board,
      'MHS av': r2(l.mhsAv / m.profile.boards),
      'MHS 5s': r2(l.mhs5s / m.profile.boards),
      Accepted: 0,
      Rejected: 0,
      'Hardware Errors': 0,
      'Device Elapsed': l.elapsed,
    }));
    return { status: ok(9, `${devs.length} ASC(s)`), sections: [['DEVS', devs]] };
  }
  return undefined;
}

function mhsFields(l: Live, five = 'MHS 5s'): Fields {
  return {
    'MHS av': r2(l.mhsAv),
    [five]: r2(l.mhs5s),
    'MHS 1m': r2(l.mhs1m),
    'MHS 5m': r2(l.mhs5m),
    'MHS 15m': r2(l.mhs15m),
  };
}

function bosminer(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
  switch (command) {
    case 'version':
      return {
        status: ok(22, 'BOSminer+ versions'),
        sections: [['VERSION', [{ API: '3.7', 'BOSminer+': '0.2.0-36c56a9363' }]]],
      };
    case 'summary':
      return {
        status: ok(11, 'Summary'),
        sections: [
          [
            'SUMMARY',
            [
              {
                ...sharesCommon(m),
                'Device Hardware%': 0,
                'Device Rejected%': 0,
                Discarded: 0,
                Elapsed: l.elapsed,
                'Found Blocks': 0,
                'Get Failures': 0,
                Getworks: 0,
                'Last getwork': Math.floor(l.now / 1000),
                'Local Work': 0,
                ...mhsFields(l),
                'MHS 24h': r2(l.mhsAv),
                'Network Blocks': 0,
                'Remote Failures': 0,
                Stale: 0,
                'Total MH': r2(l.mhsAv * l.elapsed),
                Utility: 0,
                'Work Utility': 0,
              },
            ],
          ],
        ],
      };
    case 'devs': {
      const devs = t.boards.map((b, i) => ({
        ASC: i,
        Accepted: 0,
        'Device Elapsed': l.elapsed,
        'Device Hardware%': 0,
        'Device Rejected%': 0,
        Enabled: 'Y',
        'Hardware Errors': 0,
        ID: 6 + i,
        ...mhsFields({
          ...l,
          mhsAv: l.mhsAv / m.profile.boards,
          mhs5s: l.mhs5s / m.profile.boards,
          mhs1m: l.mhs1m / m.profile.boards,
          mhs5m: l.mhs5m / m.profile.boards,
          mhs15m: l.mhs15m / m.profile.boards,
        }),
        Name: '',
        'Nominal MHS': 4668300,
        Rejected: 0,
        Status: 'Alive',
        Temperature: b.board,
      }));
      return { status: ok(9, `${devs.length} ASC(s)`), sections: [['DEVS', devs]] };
    }
    case 'temps':
      return {
        status: ok(201, `${t.boards.length} Temp(s)`),
        sections: [['TEMPS', t.boards.map((b, i) => ({ Board: b.board, Chip: b.chip, ID: 6 + i, TEMP: i }))]],
      };
    case 'fans':
      return {
        status: ok(202, `${t.fansRpm.length} Fan(s)`),
        sections: [['FANS', t.fansRpm.map((rpm, i) => ({ FAN: i, ID: i, RPM: rpm, Speed: t.fanPercent }))]],
      };
    case 'devdetails':
      return {
        status: ok(69, 'Device Details'),
        sections: [
          [
            'DEVDETAILS',
            t.boards.map((_, i) => ({
              Chips: 63,
              Cores: 714,
              DEVDETAILS: i,
              'Device Path': '',
              Driver: '',
              Frequency: 650,
              ID: 6 + i,
              Kernel: '',
              Model: m.profile.model,
              Name: `HashchainManager ${i + 1}`,
              Voltage: 8.8,
            })),
          ],
        ],
      };
    default:
      return undefined;
  }
}

function btminer(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
  const chipMax = Math.max(...t.boards.map((b) => b.chip));
  switch (command) {
    case 'summary':
      return {
        status: ok(11, 'Summary'),
        sections: [
          [
            'SUMMARY',
            [
              {
                Elapsed: l.elapsed,
                ...mhsFields(l),
                'HS RT': r2(l.mhs5m),
                'Found Blocks': 0,
                Getworks: 0,
                ...sharesCommon(m),
                Utility: 0,
                Discarded: 0,
                Stale: 0,
                'Get Failures': 0,
                'Local Work': 0,
                'Remote Failures': 0,
                'Network Blocks': 0,
                'Total MH': r2(l.mhsAv * l.elapsed),
                'Work Utility': 0,
                Temperature: r2(t.boards[0]?.board ?? 0),
                freq_avg: 710,
                'Fan Speed In': t.fansRpm[0] ?? 0,
                'Fan Speed Out': t.fansRpm[1] ?? 0,
                Voltage: 1206,
                Power: 3553,
                Power_RT: 3552,
                'Device Hardware%': 0,
                'Device Rejected%': 0,
                'Last getwork': 0,
                Uptime: l.elapsed,
                'Power Mode': 'Normal',
                'Firmware Version': "'20201202.22.REL'",
                'CB Platform': 'ALLWINNER_H6OS',
                'CB Version': 'V10',
                MAC: m.mac,
                'Factory GHS': 75697,
                'Power Limit': 3600,
                'Chip Temp Min': r2(chipMax - 20),
                'Chip Temp Max': r2(chipMax),
                'Chip Temp Avg': r2(chipMax - 8),
                'Env Temp': t.inlet,
              },
            ],
          ],
        ],
      };
    case 'edevs':
    case 'devs': {
      const devs = t.boards.map((b, i) => ({
        ASC: i,
        Name: 'SM',
        ID: i,
        Slot: i,
        Enabled: 'Y',
        Status: 'Alive',
        Temperature: b.board,
        'Chip Frequency': 700,
        'Fan Speed In': t.fansRpm[0] ?? 0,
        'Fan Speed Out': t.fansRpm[1] ?? 0,
        'MHS av': r2(l.mhsAv / m.profile.boards),
        'MHS 5s': r2(l.mhs5s / m.profile.boards),
        Accepted: 0,
        Rejected: 0,
        'Hardware Errors': 0,
        'Device Elapsed': l.elapsed,
        'Effective Chips': 105,
        'Chip Temp Min': r2(b.chip - 15),
        'Chip Temp Max': b.chip,
        'Chip Temp Avg': r2(b.chip - 6),
      }));
      return { status: ok(9, `${devs.length} ASC(s)`), sections: [['DEVS', devs]] };
    }
    case 'devdetails':
      return {
        status: ok(69, 'Device Details'),
        sections: [
          [
            'DEVDETAILS',
            t.boards.map((_, i) => ({
              DEVDETAILS: i,
              Name: 'SM',
              ID: i,
              Driver: 'bitmicro',
              Kernel: '',
              Model: m.profile.model,
              'Device Path': '',
            })),
          ],
        ],
      };
    case 'version':
      // btminer refuses cgminer's "version" with its own flat error shape.
      return {
        status: { status: 'E', code: 14, msg: 'invalid cmd' },
        sections: [],
        rawJson: JSON.stringify({
          STATUS: 'E',
          When: Math.floor(l.now / 1000),
          Code: 14,
          Msg: 'invalid cmd',
          Description: 'whatsminer v1.1',
        }),
      };
    case 'get_version':
      return {
        status: ok(131, ''),
        sections: [],
        rawJson: JSON.stringify({
          STATUS: 'S',
          When: Math.floor(l.now / 1000),
          Code: 131,
          Msg: { api_ver: '2.0.5', fw_ver: '20201202.22.REL', platform: 'H6' },
          Description: '',
        }),
      };
    case 'status':
      return {
        status: ok(131, ''),
        sections: [],
        rawJson: JSON.stringify({
          STATUS: 'S',
          When: Math.floor(l.now / 1000),
          Code: 131,
          Msg: { mineroff: 'false', FirmwareVersion: "'20201202.22.REL'" },
          Description: '',
        }),
      };
    default:
      return undefined;
  }
}

function avalon(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
  const macHex = m.mac.replace(/:/g, '').toLowerCase();
  switch (command) {
    case 'version':
      return {
        status: ok(22, 'CGMiner versions'),
        sections: [
          [
            'VERSION',
            [
              {
                CGMiner: '4.11.1',
                API: '3.7',
                STM8: '20.08.01',
                PROD: 'AvalonMiner 15-194',
                MODEL: '15-194',
                HWTYPE: 'MM4v2_X3',
                SWTYPE: 'MM319',
                VERSION: '24102401_25462b2_9ddf522',
                LOADER: 'd0d779de.00',
                DNA: '020100008c699117',
                MAC: macHex,
                UPAPI: '2',
              },
            ],
          ],
        ],
      };
    case 'summary':
      return {
        status: ok(11, 'Summary'),
        sections: [
          [
            'SUMMARY',
            [
              {
                Elapsed: l.elapsed,
                'MHS av': r2(l.mhsAv),
                'MHS 30s': r2(l.mhs1m),
                'MHS 1m': r2(l.mhs1m),
                'MHS 5m': r2(l.mhs5m),
                'MHS 15m': r2(l.mhs15m),
                'Found Blocks': 0,
                Getworks: 0,
                ...sharesCommon(m),
                Utility: 0,
                Discarded: 0,
                Stale: 0,
                'Get Failures': 0,
                'Local Work': 0,
                'Remote Failures': 0,
                'Network Blocks': 0,
                'Total MH': r2(l.mhsAv * l.elapsed),
                'Work Utility': 0,
                'Device Hardware%': 0,
                'Device Rejected%': 0,
                'Last getwork': 0,
              },
            ],
          ],
        ],
      };
    case 'stats':
    case 'estats': {
      const tmax = Math.round(Math.max(...t.boards.map((b) => b.chip)));
      const tavg = Math.round(t.boards.reduce((a, b) => a + b.chip, 0) / t.boards.length);
      const ghs = (l.mhs5s / 1000).toFixed(2);
      const mm = `Ver[15-194-24102401_25462b2_9ddf522] DNA[020100008c699117] MEMFREE[1392832.1381104] NETFAIL[0 0 0 0 0 0 0 0] SYSTEMSTATU[Work: ${l.mining ? 'In Work' : 'In Idle'}, Hash Board: ${m.profile.boards} ] Elapsed[${l.elapsed}] BOOTBY[0x04.00000000] LW[0] MH[0 0 0] DHW[0] HW[0] DH[0.000%] Temp[${Math.round(t.inlet)}] TMax[${tmax}] TAvg[${tavg}] Fan1[${t.fansRpm[0] ?? 0}] Fan2[${t.fansRpm[1] ?? 0}] FanR[${t.fanPercent}%] Vo[296] PS[0 1209 1187 297 3526 1188 3731] WALLPOWER[3731] GHSspd[${ghs}] DHspd[0.000%] GHSmm[${ghs}] GHSavg[${(l.mhsAv / 1000).toFixed(2)}] WU[0.00] Freq[345.94] Led[0] MTmax[${t.boards.map((b) => Math.round(b.chip)).join(' ')}] MTavg[${t.boards.map((b) => Math.round(b.board)).join(' ')}] TA[480] Core[A3197S] POWS[0] HASHS[0 0 0] POOLS[0] SoftOFF[0] ECHU[0 0 0] ECMM[0]`;
      return {
        status: ok(70, 'CGMiner stats'),
        sections: [
          [
            'STATS',
            [
              {
                STATS: 0,
                ID: 'AVA100',
                Elapsed: l.elapsed,
                Calls: 0,
                Wait: 0,
                Max: 0,
                Min: 99999999,
                'MM ID0': mm,
              },
            ],
          ],
        ],
      };
    }
    case 'devs':
      return {
        status: ok(9, '1 ASC(s)'),
        sections: [
          [
            'DEVS',
            [
              {
                ASC: 0,
                Name: 'AVA10',
                ID: 0,
                Enabled: 'Y',
                Status: 'Alive',
                Temperature: -273,
                ...mhsFields(l, 'MHS 30s'),
                Accepted: m.stats.accepted,
                Rejected: m.stats.rejected,
                'Hardware Errors': 0,
                Utility: 0,
                'Last Share Pool': Math.max(0, m.activePool),
                'Last Share Time': Math.floor(m.stats.lastShareTime / 1000),
                'Device Elapsed': l.elapsed,
              },
            ],
          ],
        ],
      };
    default:
      return undefined;
  }
}

export { Msg };
