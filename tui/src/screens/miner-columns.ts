import type { MinerRow } from '../api/types.js';
import { STATUS_LABEL } from '../components/tone.js';
import type { Column } from '../format/text.js';
import { formatFans, formatHashrate, formatPercent, formatSince, formatTemps } from '../format/units.js';

/** The sort keys `s` cycles through, each a MinerRow field the API sorts on. */
export const MINER_SORTS = [
  { field: 'worker', column: 'worker' },
  { field: 'status', column: 'status' },
  { field: 'ip', column: 'ip' },
  { field: 'make', column: 'make' },
  { field: 'hashrate', column: 'hashrate' },
  { field: 'rejected', column: 'rejects' },
  { field: 'lastShareAt', column: 'last' },
] as const;

export function makeModel(row: Pick<MinerRow, 'make' | 'model'>): string {
  return [row.make, row.model].filter((v): v is string => Boolean(v)).join(' ') || '?';
}

/** hashrate as a share of what the device says it should do: "95%". */
export function versusExpected(row: MinerRow, ascii: boolean): string {
  if (!row.expectedHashrate) return ascii ? '-' : '–';
  return `${Math.round((row.hashrate / row.expectedHashrate) * 100)}%`;
}

export function minerColumns(now: number, ascii: boolean): Column<MinerRow>[] {
  return [
    { key: 'status', title: 'STAT', width: 4, priority: 100, cell: (r) => STATUS_LABEL[r.status] },
    { key: 'worker', title: 'WORKER', width: 14, flex: true, priority: 99, cell: (r) => r.worker },
    { key: 'ip', title: 'IP', width: 13, priority: 50, cell: (r) => r.ip },
    { key: 'make', title: 'MAKE/MODEL', width: 10, flex: true, priority: 40, cell: makeModel },
    {
      key: 'hashrate',
      title: 'HASHRATE',
      width: 9,
      align: 'right',
      priority: 90,
      cell: (r) => formatHashrate(r.hashrate),
    },
    {
      key: 'expected',
      title: 'EXP',
      width: 4,
      align: 'right',
      priority: 60,
      cell: (r) => versusExpected(r, ascii),
    },
    {
      key: 'temp',
      title: 'TEMP',
      width: 4,
      align: 'right',
      priority: 45,
      cell: (r) => formatTemps(r.temps, ascii),
    },
    {
      key: 'fan',
      title: 'FAN',
      width: 6,
      align: 'right',
      priority: 30,
      cell: (r) => formatFans(r.fans, ascii),
    },
    {
      key: 'rejects',
      title: 'REJ',
      width: 5,
      align: 'right',
      priority: 55,
      cell: (r) => formatPercent(r.rejected, r.accepted + r.rejected, ascii),
    },
    {
      key: 'last',
      title: 'LAST',
      width: 6,
      align: 'right',
      priority: 70,
      cell: (r) => formatSince(r.lastShareAt, now),
    },
  ];
}
