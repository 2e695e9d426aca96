import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useUi } from '../app/ui-context.js';
import type { MinerStatus } from '../api/types.js';

export type ToneName = 'good' | 'warn' | 'bad' | 'dim' | 'accent' | 'plain';

const COLOURS: Record<ToneName, string | undefined> = {
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
  accent: 'cyan',
  plain: undefined,
};

/** Text with a colour that only adds to the words: without colour the words alone must carry it. */
export function Tone({ tone, bold, children }: { tone: ToneName; bold?: boolean; children: ReactNode }) {
  const { ascii } = useUi();
  const color = ascii ? undefined : COLOURS[tone];
  return (
    <Text {...(color ? { color } : {})} bold={bold ?? false} wrap="truncate">
      {children}
    </Text>
  );
}

export const STATUS_TONE: Record<MinerStatus, ToneName> = { up: 'good', idle: 'warn', down: 'bad' };
/** Status as a word first: "UP", "IDLE", "DOWN" read the same on a monochrome console. */
export const STATUS_LABEL: Record<MinerStatus, string> = { up: 'UP', idle: 'IDLE', down: 'DOWN' };
