import { ok, type Fields, type Reply } from './cgminer-format.js';
import { boardDevFields, r2, summaryCounters, type Live, type T } from './cgminer-live.js';
import type { SimMiner } from './sim-miner.js';

// Antminer stock bmminer (S9 era): GH/s units, "GHS 5s" as a string, and "}{" between the STATS objects.

export function bmminerReply(m: SimMiner, command: string, l: Live, t: T): Reply | undefined {
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
              ...summaryCounters(m, l),
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
      Description: 'bmminer 1.0.0',
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
      ...boardDevFields(m, l),
    }));
    return { status: ok(9, `${devs.length} ASC(s)`), sections: [['DEVS', devs]] };
  }
  return undefined;
}
