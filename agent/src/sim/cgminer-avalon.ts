import { ok, type Reply } from './cgminer-format.js';
import { mhsFields, r2, summaryCounters, type Live, type T } from './cgminer-live.js';
import type { SimMiner } from './sim-miner.js';

// Canaan Avalon on cgminer 4.11.1: the "MM ID0" bracket string in stats/estats, PROD/MODEL in version.

export function avalonReply(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
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
                ...summaryCounters(m, l),
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
