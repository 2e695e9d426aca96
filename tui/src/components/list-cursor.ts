import type { Key } from 'ink';

/**
 * The shared list keys: ↑/k, ↓/j, g (first), G (last), PgUp/PgDn (a page). Returns the new index,
 * or null when the key is not a movement key.
 */
export function moveCursor(
  input: string,
  key: Key,
  index: number,
  count: number,
  page: number,
): number | null {
  const last = Math.max(0, count - 1);
  const clamp = (n: number) => Math.min(last, Math.max(0, n));
  if (key.upArrow || input === 'k') return clamp(index - 1);
  if (key.downArrow || input === 'j') return clamp(index + 1);
  if (input === 'g' || key.home) return 0;
  if (input === 'G' || key.end) return last;
  if (key.pageUp) return clamp(index - page);
  if (key.pageDown) return clamp(index + page);
  return null;
}

/** The first visible row so that `index` stays in a window of `size` rows. */
export function windowStart(index: number, size: number, count: number): number {
  if (count <= size) return 0;
  const half = Math.floor(size / 2);
  return Math.min(Math.max(0, index - half), count - size);
}
