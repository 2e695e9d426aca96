import type { Key } from 'ink';
import { Text } from 'ink';
import { useUi } from '../app/ui-context.js';

export type LineEdit = { kind: 'change'; value: string } | { kind: 'submit' } | { kind: 'cancel' } | null;

/**
 * One key applied to a one-line text field: printable keys type, Backspace deletes, Ctrl-U clears,
 * Enter submits, Esc cancels; other keys are not for the field (null).
 */
export function editLine(value: string, input: string, key: Key): LineEdit {
  if (key.return) return { kind: 'submit' };
  if (key.escape) return { kind: 'cancel' };
  if (key.backspace || key.delete) return { kind: 'change', value: value.slice(0, -1) };
  if (key.ctrl && input === 'u') return { kind: 'change', value: '' };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return null;
  if (key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return null;
  // Pasted text arrives as one chunk; keep only printable characters.
  // eslint-disable-next-line no-control-regex
  const printable = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return printable ? { kind: 'change', value: value + printable } : null;
}

/** How a text field looks; the screen that owns it feeds it keys through editLine. */
export function TextField({
  label,
  value,
  focused,
  secret,
}: {
  label: string;
  value: string;
  focused: boolean;
  secret?: boolean;
}) {
  const { ascii } = useUi();
  const shown = secret ? '*'.repeat(value.length) : value;
  return (
    <Text wrap="truncate">
      {label}
      {shown}
      {focused ? (ascii ? '_' : '█') : ''}
    </Text>
  );
}
