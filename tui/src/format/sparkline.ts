// Hashrate history as text: one row of block glyphs, or a taller chart of stacked blocks.

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
// Eight steps of ink density for terminals without the block set (NO_COLOR / --ascii).
const ASCII = [' ', '_', '.', '-', ':', '=', '+', '*', '#'];

/** Averages values into exactly `width` buckets (or fewer when there are fewer values). */
export function resample(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / width));
    let sum = 0;
    for (let j = from; j < to; j++) sum += values[j] ?? 0;
    out.push(sum / (to - from));
  }
  return out;
}

/**
 * The bottom of a chart's scale: a quarter of the range below the lowest value, so the line's shape
 * fills the rows instead of sitting on a tall solid block, and 0 when the series touches 0.
 */
export function chartFloor(values: number[]): number {
  if (values.length === 0) return 0;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return Math.max(0, min - (max - min) * 0.25);
}

/** A chart `rows` tall and at most `width` wide, top row first, scaled from `floor` to the maximum. */
export function chart(values: number[], width: number, rows: number, ascii = false, floor = 0): string[] {
  const glyphs = ascii ? ASCII : BLOCKS;
  const series = resample(values, width);
  const max = Math.max(0, ...series);
  const steps = rows * 8;
  const levels = series.map((v) => {
    if (max <= floor || v <= 0) return 0;
    // Anything above zero stays visible, even at the floor.
    return Math.max(1, Math.round(((v - floor) / (max - floor)) * steps));
  });
  const lines: string[] = [];
  for (let r = rows - 1; r >= 0; r--) {
    lines.push(levels.map((level) => glyphs[Math.min(8, Math.max(0, level - r * 8))] ?? ' ').join(''));
  }
  return lines;
}

export function sparkline(values: number[], width: number, ascii = false, floor = 0): string {
  return chart(values, width, 1, ascii, floor)[0] ?? '';
}
