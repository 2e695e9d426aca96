import { err, ok, type Reply, type Status } from './cgminer-format.js';
import { boardDevFields, mhsFields, r2, summaryCounters, type Live, type T } from './cgminer-live.js';
import type { SimMiner } from './sim-miner.js';

// Whatsminer btminer: MH/s, power and fan fields in SUMMARY, its own flat STATUS shape for get_version/status/errors.

/** btminer's own flat shape: STATUS is one object, not a list, and Msg may be an object. */
function flatReply(status: Status, msg: unknown, description: string, now: number): Reply {
  return {
    status,
    sections: [],
    rawJson: JSON.stringify({
      STATUS: status.status,
      When: Math.floor(now / 1000),
      Code: status.code,
      Msg: msg,
      Description: description,
    }),
  };
}

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
                ...summaryCounters(m, l),
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
        ...boardDevFields(m, l),
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
      return flatReply(err(14, 'invalid cmd'), 'invalid cmd', 'whatsminer v1.1', l.now);
    case 'get_version':
      return flatReply(
        ok(131, ''),
        { api_ver: '2.0.5', fw_ver: '20201202.22.REL', platform: 'H6' },
        '',
        l.now,
      );
    case 'status':
      return flatReply(ok(131, ''), { mineroff: 'false', FirmwareVersion: "'20201202.22.REL'" }, '', l.now);
    default:
      return undefined;
  }
}
