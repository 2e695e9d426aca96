// Fitting text into fixed-width terminal cells.

/** Cuts text to width, marking the cut with "…" (or "~" in ASCII). */
export function truncate(text: string, width: number, ascii = false): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return text.slice(0, 1);
  return text.slice(0, width - 1) + (ascii ? '~' : '…');
}

/** Truncates then pads to exactly width cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', ascii = false): string {
  const cut = truncate(text, width, ascii);
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

export interface Column<Row> {
  key: string;
  title: string;
  /** Cells it needs; flexible columns grow into what is left. */
  width: number;
  flex?: boolean;
  align?: 'left' | 'right';
  /** Lower drops first when the terminal is narrow. */
  priority: number;
  cell: (row: Row) => string;
}

/** Picks the columns that fit in width (one space between), and widens the flexible ones. */
export function layoutColumns<Row>(columns: Column<Row>[], width: number): Column<Row>[] {
  const kept = [...columns];
  const need = () => kept.reduce((sum, c) => sum + c.width, 0) + Math.max(0, kept.length - 1);
  while (need() > width && kept.length > 1) {
    let lowest = 0;
    kept.forEach((c, i) => {
      if (c.priority < (kept[lowest]?.priority ?? Infinity)) lowest = i;
    });
    kept.splice(lowest, 1);
  }
  const flexible = kept.filter((c) => c.flex);
  const spare = Math.max(0, width - need());
  return kept.map((c) => {
    if (!c.flex || flexible.length === 0) return c;
    const index = flexible.indexOf(c);
    const share = Math.floor(spare / flexible.length) + (index < spare % flexible.length ? 1 : 0);
    return { ...c, width: c.width + share };
  });
}

export function renderRow<Row>(columns: Column<Row>[], row: Row, ascii = false): string {
  return columns.map((c) => fit(c.cell(row), c.width, c.align, ascii)).join(' ');
}

export function renderHeader<Row>(
  columns: Column<Row>[],
  ascii = false,
  marks: Record<string, string> = {},
): string {
  return columns.map((c) => fit(c.title + (marks[c.key] ?? ''), c.width, c.align, ascii)).join(' ');
}
