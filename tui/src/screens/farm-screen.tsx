import { Box, Text } from 'ink';
import { usePoll } from '../api/use-poll.js';
import type { History, Summary } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { Tone } from '../components/tone.js';
import type { ToneName } from '../components/tone.js';
import { chart, chartFloor } from '../format/sparkline.js';
import { formatAge, formatCount, formatHashrate, formatLatency, formatPercent } from '../format/units.js';
import { truncate } from '../format/text.js';

/** The farm overview: polls the farm history itself; the summary comes from the app's own poll. */
export function FarmScreen({ summary }: { summary: Summary | null }) {
  const { client, refreshMs, width, now } = useUi();
  const minutes = historyMinutes(width);
  // History moves by the minute: no need to ask for it at the summary's pace.
  const history = usePoll(
    () => client.history('farm', minutes),
    Math.max(refreshMs, 30_000),
    `farm:${minutes}`,
    now,
  );
  if (!summary) return <Text>loading the farm summary…</Text>;
  return <FarmView summary={summary} history={history.data} />;
}

/** Three hours on a normal terminal; a wide one shows six. */
export function historyMinutes(width: number): number {
  return width >= 140 ? 360 : 180;
}

const UPSTREAM_TONE: Record<Summary['upstream']['state'], ToneName> = {
  connected: 'good',
  connecting: 'warn',
  down: 'bad',
};

export function FarmView({ summary, history }: { summary: Summary; history: History | null }) {
  const { width, height, ascii, now } = useUi();
  const { hashrate, shares, miners, upstream, alerts } = summary;
  const label = 11;
  const fixedLines = 9; // hashrate, chart caption, shares, rejects, miners, upstream(2), alerts title, spacing
  const alertLines = Math.min(alerts.length === 0 ? 1 : alerts.length, Math.max(1, height - fixedLines - 2));
  const chartRows = Math.min(8, Math.max(1, height - fixedLines - alertLines));
  const points = history?.points ?? [];
  const chartWidth = Math.max(10, width - label);
  const series = points.map((p) => p.hashrate);
  const floor = chartFloor(series);
  const lines = chart(series, chartWidth, chartRows, ascii, floor);
  const peak = Math.max(0, ...points.map((p) => p.hashrate));
  const sent = shares.accepted + shares.rejected + shares.stale;
  const reasons = Object.entries(shares.byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const dot = ascii ? ' | ' : ' · ';
  const replayTotal = upstream.replayed + upstream.buffered;

  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {'Hashrate'.padEnd(label)}
        {'1m '}
        <Text bold>{formatHashrate(hashrate.m1)}</Text>
        {'   15m '}
        <Text bold>{formatHashrate(hashrate.m15)}</Text>
        {'   1h '}
        <Text bold>{formatHashrate(hashrate.h1)}</Text>
      </Text>
      {points.length === 0 ? (
        <Text>{' '.repeat(label)}(no history yet)</Text>
      ) : (
        lines.map((line, i) => (
          <Text key={i} wrap="truncate">
            {(i === 0 ? formatHashrate(peak) : i === lines.length - 1 ? formatHashrate(floor) : '').padEnd(
              label,
            )}
            <Tone tone="accent">{line}</Tone>
          </Text>
        ))
      )}
      <Tone tone="dim">
        {' '.repeat(label)}
        {`last ${points.length >= 120 ? `${Math.round(points.length / 60)} h` : `${points.length} min`}${dot}scale ${formatHashrate(floor)}${ascii ? ' to ' : '–'}${formatHashrate(peak)}${dot}one column ${ascii ? '~' : '≈'} ${Math.max(1, Math.round(points.length / Math.max(1, chartWidth)))} min`}
      </Tone>
      <Text wrap="truncate">
        {'Shares'.padEnd(label)}
        {`accepted ${formatCount(shares.accepted)}   `}
        <Tone tone={shares.rejected > 0 ? 'warn' : 'plain'}>
          {`rejected ${formatCount(shares.rejected)} (${formatPercent(shares.rejected, sent, ascii)})`}
        </Tone>
        {`   stale ${formatCount(shares.stale)} (${formatPercent(shares.stale, sent, ascii)})`}
      </Text>
      <Text wrap="truncate">
        {'Rejects'.padEnd(label)}
        {reasons.length === 0
          ? 'none'
          : reasons.map(([reason, n]) => `${reason} ${formatCount(n)}`).join(dot)}
      </Text>
      <Text wrap="truncate">
        {'Miners'.padEnd(label)}
        {`${formatCount(miners.total)} total   `}
        <Tone tone="good">{`${formatCount(miners.up)} up`}</Tone>
        {'   '}
        <Tone tone={miners.idle > 0 ? 'warn' : 'plain'}>{`${formatCount(miners.idle)} idle`}</Tone>
        {'   '}
        <Tone tone={miners.down > 0 ? 'bad' : 'plain'}>{`${formatCount(miners.down)} down`}</Tone>
      </Text>
      <Text wrap="truncate">
        {'Upstream'.padEnd(label)}
        {`${upstream.active ?? '(none)'} `}
        <Tone tone={UPSTREAM_TONE[upstream.state]} bold>
          {upstream.state.toUpperCase()}
        </Tone>
        {`${dot}latency ${formatLatency(upstream.latencyMs)}`}
      </Text>
      <Text wrap="truncate">
        {' '.repeat(label)}
        {`buffered ${formatCount(upstream.buffered)} shares`}
        {upstream.replaying
          ? `${dot}replaying ${formatCount(upstream.replayed)} of ${formatCount(replayTotal)} (${formatPercent(upstream.replayed, replayTotal, ascii)})`
          : ''}
      </Text>
      <Text>Alerts</Text>
      {alerts.length === 0 ? (
        <Tone tone="dim">{'  none'}</Tone>
      ) : (
        alerts.slice(0, alertLines).map((alert, i) => (
          <Text key={i} wrap="truncate">
            {'  '}
            <Tone tone={alert.level === 'error' ? 'bad' : 'warn'} bold>
              {alert.level.toUpperCase().padEnd(6)}
            </Tone>
            {`${formatAge(now() - alert.at).padStart(7)} ago  ${truncate(alert.message, width - 22, ascii)}`}
          </Text>
        ))
      )}
    </Box>
  );
}
