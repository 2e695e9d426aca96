import { Box, Text } from 'ink';
import { useState } from 'react';
import { usePoll } from '../api/use-poll.js';
import type { Summary, Upstream } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { useKeys } from '../components/keys.js';
import { useRemembered } from '../components/remembered.js';
import { moveCursor } from '../components/list-cursor.js';
import { Tone } from '../components/tone.js';
import type { ToneName } from '../components/tone.js';
import { layoutColumns, renderHeader, renderRow } from '../format/text.js';
import type { Column } from '../format/text.js';
import { formatCount, formatLatency, formatPercent } from '../format/units.js';

export function UpstreamsScreen({ summary }: { summary: Summary | null }) {
  const { client, refreshMs, now } = useUi();
  const upstreams = usePoll(() => client.upstreams(), refreshMs, 'upstreams', now);
  const [pos, setPos] = useRemembered('upstreams.pos', 0);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const items = sortByPriority(upstreams.data?.items ?? []);
  const selected = items[Math.min(pos, items.length - 1)];

  const run = async (text: string, call: () => ReturnType<typeof client.switchUpstream>) => {
    setMessage({ text: `${text}…`, failed: false });
    const result = await call();
    setMessage(
      result.ok
        ? { text: `${text}: done`, failed: false }
        : { text: `${text} failed: ${result.error.message}`, failed: true },
    );
    upstreams.refresh();
  };

  useKeys((input, key) => {
    const moved = moveCursor(input, key, pos, items.length, 5);
    if (moved !== null) return setPos(moved);
    if (!selected) return;
    if (input === 's')
      return void run(`switch to ${selected.name}`, () => client.switchUpstream(selected.name));
    if (input === 'e') {
      const enable = !selected.enabled;
      return void run(`${enable ? 'enable' : 'disable'} ${selected.name}`, () =>
        client.setUpstreamEnabled(selected.name, enable),
      );
    }
  });

  if (!upstreams.data) {
    return <Text>{upstreams.error ? `upstreams: ${upstreams.error.message}` : 'loading upstreams…'}</Text>;
  }
  return (
    <Box flexDirection="column">
      <UpstreamsView upstreams={items} summary={summary} pos={pos} />
      {message ? <Tone tone={message.failed ? 'bad' : 'good'}>{message.text}</Tone> : null}
    </Box>
  );
}

function sortByPriority(items: Upstream[]): Upstream[] {
  return items.slice().sort((a, b) => a.priority - b.priority);
}

export function upstreamState(u: Upstream): { label: string; tone: ToneName } {
  if (!u.enabled) return { label: 'DISABLED', tone: 'dim' };
  if (u.active && u.connected) return { label: 'ACTIVE', tone: 'good' };
  if (u.active) return { label: 'RECONNECT', tone: 'bad' };
  if (u.connected) return { label: 'STANDBY', tone: 'plain' };
  return { label: 'DOWN', tone: 'warn' };
}

function upstreamColumns(): Column<Upstream>[] {
  return [
    {
      key: 'priority',
      title: 'PRI',
      width: 3,
      align: 'right',
      priority: 100,
      cell: (u) => String(u.priority),
    },
    { key: 'name', title: 'NAME', width: 12, priority: 99, cell: (u) => u.name },
    { key: 'state', title: 'STATE', width: 9, priority: 98, cell: (u) => upstreamState(u).label },
    { key: 'kind', title: 'KIND', width: 7, priority: 35, cell: (u) => u.kind },
    {
      key: 'latency',
      title: 'LATENCY',
      width: 7,
      align: 'right',
      priority: 80,
      cell: (u) => formatLatency(u.latencyMs),
    },
    { key: 'url', title: 'URL', width: 16, flex: true, priority: 70, cell: (u) => u.url },
  ];
}

export function UpstreamsView({
  upstreams,
  summary,
  pos,
}: {
  upstreams: Upstream[];
  summary: Summary | null;
  pos: number;
}) {
  const { width, ascii } = useUi();
  const dot = ascii ? ' | ' : ' · ';
  const columns = layoutColumns(upstreamColumns(), width - 2);
  const selected = Math.min(pos, upstreams.length - 1);
  const up = summary?.upstream;
  const replayTotal = up ? up.buffered + up.replayed : 0;
  const barWidth = 20;
  const filled = up && replayTotal > 0 ? Math.round((up.replayed / replayTotal) * barWidth) : 0;
  const bar = `[${(ascii ? '#' : '█').repeat(filled)}${(ascii ? '.' : '░').repeat(barWidth - filled)}]`;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {'  '}
        {renderHeader(columns, ascii)}
      </Text>
      {upstreams.length === 0 ? <Tone tone="dim">{'  no upstream configured'}</Tone> : null}
      {upstreams.map((u, i) => {
        const state = upstreamState(u);
        const isSelected = i === selected;
        return (
          <Box key={u.name} flexDirection="column">
            <Text inverse={isSelected && !ascii} wrap="truncate">
              {isSelected ? '> ' : '  '}
              <Tone tone={state.tone}>{renderRow(columns, u, ascii)}</Tone>
            </Text>
          </Box>
        );
      })}
      {upstreams[selected] ? (
        <>
          <Text wrap="truncate">{`  ${upstreams[selected].name}: ${upstreams[selected].url}`}</Text>
          <Text wrap="truncate">{`  last error: ${upstreams[selected].lastError ?? 'none'}`}</Text>
        </>
      ) : null}
      <Text> </Text>
      {up ? (
        <>
          <Text wrap="truncate">
            {`Buffer  ${formatCount(up.buffered)} share${up.buffered === 1 ? '' : 's'} waiting`}
            {`${dot}active ${up.active ?? '(none)'} ${up.state}`}
          </Text>
          <Text wrap="truncate">
            {up.replaying
              ? `Replay  ${bar} ${formatCount(up.replayed)} of ${formatCount(replayTotal)} (${formatPercent(up.replayed, replayTotal, ascii)})`
              : 'Replay  idle'}
          </Text>
        </>
      ) : (
        <Tone tone="dim">buffer: waiting for the summary…</Tone>
      )}
      <Tone tone="dim">{`s switch to selected${dot}e enable/disable${dot}j/k move`}</Tone>
    </Box>
  );
}
