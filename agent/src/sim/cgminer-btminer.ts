import { ok, type Reply } from './cgminer-format.js';
import { mhsFields, r2, sharesCommon, type Live, type T } from './cgminer-live.js';
import type { SimMiner } from './sim-miner.js';

// Whatsminer btminer: MH/s, power and fan fields in SUMMARY, its own flat STATUS shape for get_version/status/errors.

export function btminerReply(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
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
