import { ok, type Reply } from './cgminer-format.js';
import { avalonReply } from './cgminer-avalon.js';
import { bmminerReply } from './cgminer-bmminer.js';
import { bosminerReply } from './cgminer-bosminer.js';
import { btminerReply } from './cgminer-btminer.js';
import { live } from './cgminer-live.js';
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
      return bmminerReply(m, command, l, t);
    case 'bosminer':
      return bosminerReply(m, command, l, t);
    case 'btminer':
      return btminerReply(m, command, l, t);
    case 'avalon':
      return avalonReply(m, command, l, t);
  }
}
