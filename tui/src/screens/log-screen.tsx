import { Box, Text } from 'ink';
import { useState } from 'react';
import { usePoll } from '../api/use-poll.js';
import type { AgentEvent, EventLevel } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { useCapture, useKeys } from '../components/keys.js';
import { useRemembered } from '../components/remembered.js';
import { moveCursor, windowStart } from '../components/list-cursor.js';
import { TextField, editLine } from '../components/text-field.js';
import { Tone } from '../components/tone.js';
import type { ToneName } from '../components/tone.js';
import { truncate } from '../format/text.js';
import { formatClock } from '../format/units.js';

/** `l` cycles: every level, then one level at a time. */
export const LOG_LEVELS: (EventLevel | null)[] = [null, 'error', 'warn', 'info'];
const LEVEL_TONE: Record<EventLevel, ToneName> = { info: 'plain', warn: 'warn', error: 'bad' };
const EVENT_LIMIT = 500;

export function LogScreen() {
  const { client, refreshMs, now } = useUi();
  const [level, setLevel] = useRemembered('log.level', 0);
  const [text, setText] = useRemembered('log.text', '');
  const [editing, setEditing] = useState(false);
  const [pos, setPos] = useRemembered('log.pos', 0);
  const levelName = LOG_LEVELS[level] ?? null;
  const query = { limit: EVENT_LIMIT, q: text, ...(levelName ? { level: levelName } : {}) };
  const events = usePoll(() => client.events(query), refreshMs, JSON.stringify(query), now);
  useCapture(editing);
  const items = events.data?.items ?? [];

  useKeys((input, key) => {
    if (editing) {
      const edit = editLine(text, input, key);
      if (edit?.kind === 'change') {
        setPos(0);
        setText(edit.value);
      }
      if (edit?.kind === 'submit') setEditing(false);
      if (edit?.kind === 'cancel') {
        setEditing(false);
        setText('');
      }
      return;
    }
    const moved = moveCursor(input, key, pos, items.length, 10);
    if (moved !== null) return setPos(moved);
    if (input === 'l') {
      setPos(0);
      return setLevel((l) => (l + 1) % LOG_LEVELS.length);
    }
    if (input === '/') return setEditing(true);
    if (key.escape) {
      setPos(0);
      setText('');
      setLevel(0);
    }
  });

  return (
    <Box flexDirection="column">
      <LogView
        events={items}
        level={levelName}
        text={text}
        pos={pos}
        loading={events.loading}
        error={events.error?.message ?? null}
      />
      {editing ? <TextField label="filter: " value={text} focused /> : null}
    </Box>
  );
}

export interface LogViewProps {
  events: AgentEvent[];
  level: EventLevel | null;
  text: string;
  pos: number;
  loading?: boolean;
  error?: string | null;
}

export function LogView({ events, level, text, pos, loading = false, error = null }: LogViewProps) {
  const { width, height, ascii } = useUi();
  const dot = ascii ? ' | ' : ' · ';
  const rows = Math.max(3, height - 3);
  const first = windowStart(pos, rows, events.length);
  const selected = Math.min(pos, events.length - 1);
  const header = [
    `${events.length} event${events.length === 1 ? '' : 's'}, newest first`,
    `level ${level ?? 'all'}`,
    text ? `filter "${text}"` : '',
    loading ? 'loading…' : '',
  ]
    .filter(Boolean)
    .join(dot);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">{header}</Text>
      {error ? <Tone tone="bad">{`  ${error}`}</Tone> : null}
      {events.length === 0 && !loading ? <Tone tone="dim">{'  no events match'}</Tone> : null}
      {events.slice(first, first + rows).map((e, i) => {
        const isSelected = first + i === selected;
        const who = e.worker ?? e.miner ?? '';
        const prefix = `${formatClock(e.at)} `;
        const rest = ` ${truncate(e.kind, 12, ascii).padEnd(12)} ${who ? `${who}: ` : ''}${e.message}`;
        return (
          <Text key={String(e.id)} inverse={isSelected && !ascii} wrap="truncate">
            {isSelected ? '> ' : '  '}
            {prefix}
            <Tone tone={LEVEL_TONE[e.level]} bold={e.level !== 'info'}>
              {e.level.toUpperCase().padEnd(5)}
            </Tone>
            {truncate(rest, Math.max(0, width - 2 - prefix.length - 5), ascii)}
          </Text>
        );
      })}
    </Box>
  );
}
