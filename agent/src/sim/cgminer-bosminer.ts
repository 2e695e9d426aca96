import { ok, type Reply } from './cgminer-format.js';
import { mhsFields, r2, sharesCommon, type Live, type T } from './cgminer-live.js';
import type { SimMiner } from './sim-miner.js';

// Braiins OS+ bosminer: MH/s units, temps/fans/devdetails commands, a read-only API.

export function bosminerReply(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
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
