import { Box, Text } from 'ink';
import { useState } from 'react';
import { usePoll } from '../api/use-poll.js';
import type { MinerDetail } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { useCapture, useKeys } from '../components/keys.js';
import { STATUS_LABEL, STATUS_TONE, Tone } from '../components/tone.js';
import { chart, chartFloor } from '../format/sparkline.js';
import { truncate } from '../format/text.js';
import {
  formatClock,
  formatCount,
  formatHashrate,
  formatPercent,
  formatSince,
  formatTemps,
} from '../format/units.js';
import { RepointForm } from './repoint-form.js';
import type { RepointValues } from './repoint-form.js';
import { makeModel, versusExpected } from './miner-columns.js';

type Mode =
  | { kind: 'view' }
  | { kind: 'confirm-restart' }
  | { kind: 'repoint' }
  | { kind: 'busy'; what: string }
  | { kind: 'done'; message: string; failed: boolean };

/** One miner: polls its detail and runs the restart and re-point actions. Esc goes back to the list. */
export function MinerDetailScreen({ id, onClose }: { id: string; onClose: () => void }) {
  const { client, refreshMs, now } = useUi();
  const detail = usePoll(() => client.miner(id), refreshMs, id, now);
  const [mode, setMode] = useState<Mode>({ kind: 'view' });
  useCapture(mode.kind === 'repoint' || mode.kind === 'confirm-restart');

  const act = async (what: string, run: () => ReturnType<typeof client.restartMiner>) => {
    setMode({ kind: 'busy', what });
    const result = await run();
    setMode(
      result.ok
        ? { kind: 'done', message: `${what}: sent`, failed: false }
        : { kind: 'done', message: `${what} failed: ${result.error.message}`, failed: true },
    );
    detail.refresh();
  };

  useKeys((input, key) => {
    if (mode.kind === 'repoint' || mode.kind === 'busy') return; // the form has the keys
    if (mode.kind === 'confirm-restart') {
      if (input === 'y') void act(`restart ${id}`, () => client.restartMiner(id));
      else if (input === 'n' || key.escape) setMode({ kind: 'view' });
      return;
    }
    if (key.escape || key.backspace) return onClose();
    if (input === 'R') return setMode({ kind: 'confirm-restart' });
    if (input === 'p') return setMode({ kind: 'repoint' });
  });

  if (!detail.data) {
    return <Text>{detail.error ? `miner ${id}: ${detail.error.message}` : `loading miner ${id}…`}</Text>;
  }
  const firstPool = detail.data.pools.slice().sort((a, b) => a.priority - b.priority)[0];
  return (
    <Box flexDirection="column">
      <MinerDetailView miner={detail.data} />
      {mode.kind === 'view' ? <Tone tone="dim">R restart · p re-point · Esc back to the list</Tone> : null}
      {mode.kind === 'confirm-restart' ? (
        <Tone
          tone="warn"
          bold
        >{`Restart ${detail.data.worker} (${detail.data.ip}) through its API? y / n`}</Tone>
      ) : null}
      {mode.kind === 'busy' ? <Text>{`${mode.what}…`}</Text> : null}
      {mode.kind === 'done' ? <Tone tone={mode.failed ? 'bad' : 'good'}>{mode.message}</Tone> : null}
      {mode.kind === 'repoint' ? (
        <RepointForm
          initial={{ url: firstPool?.url ?? '', user: firstPool?.user ?? detail.data.worker, password: '' }}
          onCancel={() => setMode({ kind: 'view' })}
          onSubmit={(values: RepointValues) =>
            void act(`re-point ${id} to ${values.url}`, () =>
              client.repointMiner(id, {
                url: values.url,
                user: values.user,
                ...(values.password ? { password: values.password } : {}),
              }),
            )
          }
        />
      ) : null}
    </Box>
  );
}

export function MinerDetailView({ miner }: { miner: MinerDetail }) {
  const { width, height, ascii, now } = useUi();
  const dot = ascii ? ' | ' : ' · ';
  const sent = miner.accepted + miner.rejected;
  const reasons = Object.entries(miner.rejectedByReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const pools = miner.pools.slice().sort((a, b) => a.priority - b.priority);
  const errorLines = Math.min(miner.errors.length, 3);
  // Lines besides the chart: 5 facts, chart title, pools title + pools, errors title + errors, action line.
  const fixed = 5 + 1 + 1 + pools.length + 1 + Math.max(1, errorLines) + 1;
  const chartRows = Math.min(6, Math.max(1, height - fixed));
  const points = miner.history.map((p) => p.hashrate);
  const deg = ascii ? 'C' : '°C';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>{miner.worker}</Text>
        {'  '}
        <Tone tone={STATUS_TONE[miner.status]} bold>
          {STATUS_LABEL[miner.status]}
        </Tone>
        {`  ${miner.ip}  ${makeModel(miner)}${miner.firmware ? `  fw ${miner.firmware}` : ''}`}
      </Text>
      <Text wrap="truncate">
        {`hashrate ${formatHashrate(miner.hashrate)}`}
        {miner.expectedHashrate
          ? ` of ${formatHashrate(miner.expectedHashrate)} expected (${versusExpected(miner, ascii)})`
          : ''}
        {`${dot}diff ${formatCount(miner.difficulty)}${dot}last share ${formatSince(miner.lastShareAt, now())}`}
      </Text>
      <Text wrap="truncate">
        {`accepted ${formatCount(miner.accepted)}${dot}rejected ${formatCount(miner.rejected)} (${formatPercent(miner.rejected, sent, ascii)})`}
        {reasons.length > 0 ? `: ${reasons.map(([r, n]) => `${r} ${formatCount(n)}`).join(', ')}` : ''}
      </Text>
      <Text wrap="truncate">
        {`temps ${miner.temps.length ? miner.temps.map((t) => Math.round(t)).join(' ') + deg : formatTemps([], ascii)}`}
        {`${dot}fans ${miner.fans.length ? miner.fans.map((f) => formatCount(f)).join(' ') + ' rpm' : '-'}`}
      </Text>
      <Tone tone="dim">{`id ${miner.id}${miner.userAgent ? `${dot}${miner.userAgent}` : ''}`}</Tone>
      <Text bold>{`History (${points.length} min, peak ${formatHashrate(Math.max(0, ...points))})`}</Text>
      {points.length === 0 ? (
        <Tone tone="dim">{'  no history yet'}</Tone>
      ) : (
        chart(points, width - 2, chartRows, ascii, chartFloor(points)).map((line, i) => (
          <Text key={i}>
            {'  '}
            <Tone tone="accent">{line}</Tone>
          </Text>
        ))
      )}
      <Text bold>Pools</Text>
      {pools.length === 0 ? <Tone tone="dim">{'  none reported'}</Tone> : null}
      {pools.map((pool) => (
        <Text key={`${pool.priority}:${pool.url}`} wrap="truncate">
          {`  ${pool.priority}  ${truncate(pool.url, Math.max(20, width - 40), ascii)}  ${pool.user}  ${pool.status}`}
        </Text>
      ))}
      <Text bold>Recent errors</Text>
      {miner.errors.length === 0 ? <Tone tone="dim">{'  none'}</Tone> : null}
      {miner.errors.slice(0, errorLines).map((e, i) => (
        <Text key={i} wrap="truncate">
          {`  ${formatClock(e.at)}  `}
          <Tone tone="bad">{e.message}</Tone>
        </Text>
      ))}
    </Box>
  );
}
