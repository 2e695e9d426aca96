import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatCount,
  formatHashrate,
  formatPercent,
  formatUptime,
} from '../../tui/src/format/units.js';
import { chart, resample, sparkline } from '../../tui/src/format/sparkline.js';
import { layoutColumns, truncate } from '../../tui/src/format/text.js';
import type { Column } from '../../tui/src/format/text.js';
import { DEFAULT_REFRESH_MS, MIN_REFRESH_MS, refreshInterval } from '../../tui/src/app/run-tui.js';

describe('units', () => {
  it('hashrates take SI prefixes with three significant digits', () => {
    expect(formatHashrate(1.25e15)).toBe('1.25 PH/s');
    expect(formatHashrate(95.06e12)).toBe('95.1 TH/s');
    expect(formatHashrate(101e12)).toBe('101 TH/s');
    expect(formatHashrate(999.6e12)).toBe('1.00 PH/s');
    expect(formatHashrate(582e9)).toBe('582 GH/s');
    expect(formatHashrate(0)).toBe('0 H/s');
    expect(formatHashrate(3.2e18)).toBe('3.20 EH/s');
  });

  it('counts, percentages, ages and uptimes', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPercent(1234, 1_234_567 + 1234 + 56)).toBe('0.10%');
    expect(formatPercent(25, 100)).toBe('25%');
    expect(formatPercent(0, 100)).toBe('0%');
    expect(formatPercent(1, 0, true)).toBe('-');
    expect(formatAge(12_400)).toBe('12 s');
    expect(formatAge(9 * 60_000)).toBe('9 min');
    expect(formatAge(3 * 3600_000)).toBe('3 h');
    expect(formatAge(3 * 86400_000)).toBe('3 d');
    expect(formatUptime(3 * 86400 + 4 * 3600 + 5)).toBe('3d 4h');
    expect(formatUptime(125)).toBe('2m 5s');
  });
});

describe('sparkline', () => {
  it('maps values onto eight block heights, ASCII when asked', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 9)).toBe(' ▁▂▃▄▅▆▇█');
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 9, true)).toBe(' _.-:=+*#');
  });

  it('averages long series into the width', () => {
    expect(resample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(
      sparkline(
        Array.from({ length: 180 }, (_, i) => i),
        60,
      ),
    ).toHaveLength(60);
  });

  it('a taller chart stacks full blocks under the partial one', () => {
    expect(chart([4, 8, 12, 16], 4, 2)).toEqual(['  ▄█', '▄███']);
  });
});

describe('columns', () => {
  const col = (key: string, width: number, priority: number, flex = false): Column<string> => ({
    key,
    title: key,
    width,
    priority,
    flex,
    cell: (r) => r,
  });

  it('drops the lowest priority columns until the rest fit, then widens the flexible ones', () => {
    const cols = [col('a', 10, 9), col('b', 10, 1), col('c', 10, 5, true)];
    expect(layoutColumns(cols, 25).map((c) => `${c.key}:${c.width}`)).toEqual(['a:10', 'c:14']);
    expect(layoutColumns(cols, 40).map((c) => `${c.key}:${c.width}`)).toEqual(['a:10', 'b:10', 'c:18']);
  });

  it('truncates with an ellipsis, or ~ in ASCII', () => {
    expect(truncate('Antminer S19j Pro', 10)).toBe('Antminer …');
    expect(truncate('Antminer S19j Pro', 10, true)).toBe('Antminer ~');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('--refresh', () => {
  it('falls back to the default on a typo and never goes below the floor', () => {
    expect(refreshInterval(Number('2s'))).toBe(DEFAULT_REFRESH_MS);
    expect(refreshInterval(undefined)).toBe(DEFAULT_REFRESH_MS);
    expect(refreshInterval(0)).toBe(MIN_REFRESH_MS);
    expect(refreshInterval(5000)).toBe(5000);
  });
});
