import { Box, Text } from 'ink';
import { useState } from 'react';
import { usePoll } from '../api/use-poll.js';
import type { MinerPage, MinerRow } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { useCapture, useKeys } from '../components/keys.js';
import { useRemembered } from '../components/remembered.js';
import { moveCursor } from '../components/list-cursor.js';
import { TextField, editLine } from '../components/text-field.js';
import { STATUS_TONE, Tone } from '../components/tone.js';
import { layoutColumns, renderHeader, renderRow } from '../format/text.js';
import { formatCount } from '../format/units.js';
import { MINER_SORTS, minerColumns } from './miner-columns.js';
import { MinerDetailScreen } from './miner-detail-screen.js';

export interface MinerListState {
  sort: number; // index in MINER_SORTS
  desc: boolean;
  filter: string;
  pos: number; // absolute row index across all pages
}

export const INITIAL_MINER_LIST: MinerListState = { sort: 0, desc: false, filter: '', pos: 0 };

/** Rows the table shows at once: the body less title, header and the status line. */
export function minerPageSize(height: number): number {
  return Math.max(3, height - 3);
}

export function MinersScreen() {
  const { client, refreshMs, height, now } = useUi();
  const [state, setState] = useRemembered<MinerListState>('miners', INITIAL_MINER_LIST);
  const [editing, setEditing] = useState(false);
  const [detail, setDetail] = useState<string | null>(null);
  const pageSize = minerPageSize(height);
  const offset = Math.floor(state.pos / pageSize) * pageSize;
  const sort = MINER_SORTS[state.sort] ?? MINER_SORTS[0];
  const query = {
    sort: sort.field,
    order: state.desc ? ('desc' as const) : ('asc' as const),
    filter: state.filter,
    offset,
    limit: pageSize,
  };
  const page = usePoll(() => client.miners(query), refreshMs, JSON.stringify(query), now);
  useCapture(editing);

  const total = page.data?.total ?? 0;
  const selected = page.data && page.data.offset === offset ? page.data.items[state.pos - offset] : undefined;

  useKeys((input, key) => {
    if (detail !== null) return; // the detail screen has the keys
    if (editing) {
      const edit = editLine(state.filter, input, key);
      if (edit?.kind === 'change') setState((s) => ({ ...s, filter: edit.value, pos: 0 }));
      if (edit?.kind === 'submit') setEditing(false);
      if (edit?.kind === 'cancel') {
        setEditing(false);
        setState((s) => ({ ...s, filter: '', pos: 0 }));
      }
      return;
    }
    const moved = moveCursor(input, key, state.pos, total, pageSize);
    if (moved !== null) return setState((s) => ({ ...s, pos: moved }));
    if (input === 's') return setState((s) => ({ ...s, sort: (s.sort + 1) % MINER_SORTS.length, pos: 0 }));
    if (input === 'r') return setState((s) => ({ ...s, desc: !s.desc, pos: 0 }));
    if (input === '/') return setEditing(true);
    if (key.escape) return setState((s) => ({ ...s, filter: '', pos: 0 }));
    if (key.return && selected) return setDetail(selected.id);
  });

  if (detail !== null) {
    return <MinerDetailScreen id={detail} onClose={() => setDetail(null)} />;
  }
  return (
    <Box flexDirection="column">
      <MinersView
        page={page.data}
        state={state}
        pageSize={pageSize}
        loading={page.loading}
        error={page.error?.message ?? null}
      />
      {editing ? <TextField label="filter: " value={state.filter} focused /> : null}
    </Box>
  );
}

export interface MinersViewProps {
  page: MinerPage | null;
  state: MinerListState;
  pageSize: number;
  loading?: boolean;
  error?: string | null;
}

export function MinersView({ page, state, pageSize, loading = false, error = null }: MinersViewProps) {
  const { width, ascii, now } = useUi();
  const columns = layoutColumns(minerColumns(now(), ascii), width - 2);
  const sort = MINER_SORTS[state.sort] ?? MINER_SORTS[0];
  const arrow = state.desc ? (ascii ? 'v' : '▼') : ascii ? '^' : '▲';
  const rows: MinerRow[] = page?.items ?? [];
  const total = page?.total ?? 0;
  const offset = page?.offset ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const dot = ascii ? ' | ' : ' · ';
  const status = [
    `${formatCount(total)} miners`,
    `sort ${sort.field} ${state.desc ? 'desc' : 'asc'}`,
    `page ${Math.floor(offset / pageSize) + 1}/${pages}`,
    state.filter ? `filter "${state.filter}"` : '',
    loading ? 'loading…' : '',
  ]
    .filter(Boolean)
    .join(dot);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">{status}</Text>
      <Text bold wrap="truncate">
        {'  '}
        {renderHeader(columns, ascii, { [sort.column]: arrow })}
      </Text>
      {error ? <Tone tone="bad">{`  ${error}`}</Tone> : null}
      {rows.length === 0 && !loading ? (
        <Tone tone="dim">{state.filter ? '  no miner matches the filter' : '  no miners yet'}</Tone>
      ) : null}
      {rows.map((row, i) => {
        const isSelected = offset + i === state.pos;
        const line = renderRow(columns, row, ascii);
        const stat = line.slice(0, 4);
        return (
          <Text key={row.id} inverse={isSelected && !ascii} wrap="truncate">
            {isSelected ? '> ' : '  '}
            <Tone tone={STATUS_TONE[row.status]}>{stat}</Tone>
            {line.slice(4)}
          </Text>
        );
      })}
    </Box>
  );
}
