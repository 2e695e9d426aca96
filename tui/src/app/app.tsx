import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Key } from 'ink';
import { KeyBus } from '../components/keys.js';
import type { KeyHandler } from '../components/keys.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ControlClient } from '../api/control-client.js';
import { usePoll, useTick } from '../api/use-poll.js';
import { Tone } from '../components/tone.js';
import { formatAge } from '../format/units.js';
import { DiscoveryScreen } from '../screens/discovery-screen.js';
import { FarmScreen } from '../screens/farm-screen.js';
import { LogScreen } from '../screens/log-screen.js';
import { MinersScreen } from '../screens/miners-screen.js';
import { UpstreamsScreen } from '../screens/upstreams-screen.js';
import { HELP, SCREENS } from './screens.js';
import type { ScreenId } from './screens.js';
import { UiContext } from './ui-context.js';
import type { Ui } from './ui-context.js';

export interface AppProps {
  client: ControlClient;
  refreshMs: number;
  ascii: boolean;
  /** Fixed terminal size (tests, captures); otherwise the terminal's own, following resizes. */
  columns?: number;
  rows?: number;
  now?: () => number;
  initialScreen?: ScreenId;
}

export function App({
  client,
  refreshMs,
  ascii,
  columns,
  rows,
  now = Date.now,
  initialScreen = 'farm',
}: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(columns, rows);
  const [screen, setScreen] = useState<number>(
    Math.max(
      0,
      SCREENS.findIndex((s) => s.id === initialScreen),
    ),
  );
  const [help, setHelp] = useState(false);
  const capture = useRef(false);
  const [memory] = useState(() => new Map<string, unknown>());
  const [keys] = useState(() => new KeyBus());
  keys.renders.current += 1;
  // The summary feeds the header, the Farm and Upstreams screens and the reachability banner.
  const summary = usePoll(() => client.summary(), refreshMs, 'summary', now);
  useTick(1000);

  // Every key goes to the current screen first, then here. Screens sit out while the help is up (the
  // key that closes it does nothing else); these global keys sit out while a field or dialog has the
  // keyboard (capture).
  const global = useRef<KeyHandler>(() => {});
  global.current = (input, key) => {
    if (help) return setHelp(false);
    if (capture.current) return;
    if (input === 'q') return exit();
    if (input === '?') return setHelp(true);
    if (key.tab) return setScreen((s) => (s + (key.shift ? SCREENS.length - 1 : 1)) % SCREENS.length);
    const n = Number(input);
    if (Number.isInteger(n) && n >= 1 && n <= SCREENS.length) setScreen(n - 1);
  };
  const helpRef = useRef(help);
  helpRef.current = help;
  const deliver = useCallback(
    (input: string, key: Key) => keys.dispatch(input, key, helpRef.current, (i, k) => global.current(i, k)),
    [keys],
  );
  useInput(useCallback((input: string, key: Key) => keys.take(input, key, deliver), [keys, deliver]));

  const banner = bannerText(
    summary.error?.code ?? null,
    summary.error?.message ?? '',
    summary.lastSuccessAt,
    now(),
  );
  // One line short of the terminal: a frame as tall as the terminal makes ink clear the screen on
  // every redraw (flicker over SSH); one line less lets it redraw in place.
  const height = Math.max(6, size.rows - 1);
  const bodyHeight = Math.max(4, height - 2 - (banner ? 1 : 0));
  const ui: Ui = useMemo(
    () => ({
      client,
      refreshMs,
      ascii,
      now,
      width: size.columns,
      height: bodyHeight,
      capture,
      keys,
      memory,
    }),
    [client, refreshMs, ascii, now, size.columns, bodyHeight, memory, keys],
  );
  const current = SCREENS[screen]?.id ?? 'farm';

  return (
    <UiContext.Provider value={ui}>
      <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
        <TabBar
          current={screen}
          ascii={ascii}
          summaryVersion={summary.data?.version ?? null}
          width={size.columns}
        />
        {banner ? (
          <Tone tone="bad" bold>
            {banner}
          </Tone>
        ) : null}
        <Box flexDirection="column" height={bodyHeight} overflow="hidden">
          {help ? <HelpOverlay ascii={ascii} /> : null}
          {/* The screen stays mounted under the help, so its filter, sort and selection survive. */}
          <Box flexDirection="column" display={help ? 'none' : 'flex'}>
            {current === 'farm' ? <FarmScreen summary={summary.data} /> : null}
            {current === 'miners' ? <MinersScreen /> : null}
            {current === 'discovery' ? <DiscoveryScreen /> : null}
            {current === 'upstreams' ? <UpstreamsScreen summary={summary.data} /> : null}
            {current === 'log' ? <LogScreen /> : null}
          </Box>
        </Box>
        <Tone tone="dim">
          {`${client.baseUrl}${ascii ? ' | ' : ' · '}? help${ascii ? ' | ' : ' · '}q quit${
            summary.loading && !summary.data ? (ascii ? ' | connecting...' : ' · connecting…') : ''
          }`}
        </Tone>
      </Box>
    </UiContext.Provider>
  );
}

/** The reconnect banner: shown while the agent does not answer, with how old the screen's data is. */
export function bannerText(
  code: string | null,
  message: string,
  lastSuccessAt: number | null,
  now: number,
): string {
  if (code === null) return '';
  if (code === 'UNAUTHORIZED') return `agent refused the token — ${message}`;
  if (code === 'HTTP_ERROR' || code === 'BAD_RESPONSE') return `agent error — ${message}`;
  const age = lastSuccessAt === null ? 'no data yet' : `last data ${formatAge(now - lastSuccessAt)} ago`;
  return `agent unreachable — retrying… ${age}`;
}

function TabBar({
  current,
  ascii,
  summaryVersion,
  width,
}: {
  current: number;
  ascii: boolean;
  summaryVersion: string | null;
  width: number;
}) {
  const title = `farmhand${summaryVersion ? ` ${summaryVersion}` : ''}`;
  return (
    <Box width={width}>
      <Text wrap="truncate">
        {SCREENS.map((s, i) => {
          const label = `${i + 1} ${s.title}`;
          // Brackets mark the current tab without relying on colour or inverse video.
          return i === current ? (
            <Text key={s.id} bold inverse={!ascii}>{`[${label}]`}</Text>
          ) : (
            <Text key={s.id}>{` ${label} `}</Text>
          );
        })}
        {width >= 70 ? <Text dimColor={!ascii}>{`  ${title}`}</Text> : null}
      </Text>
    </Box>
  );
}

function HelpOverlay({ ascii }: { ascii: boolean }) {
  return (
    <Box flexDirection="column" borderStyle={ascii ? 'classic' : 'single'} paddingX={1}>
      <Text bold>Keys</Text>
      {HELP.map((h) => (
        <Text key={h.keys} wrap="truncate">
          {h.keys.padEnd(22)}
          {h.what}
        </Text>
      ))}
    </Box>
  );
}

function useTerminalSize(columns?: number, rows?: number): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: columns ?? stdout.columns ?? 80, rows: rows ?? stdout.rows ?? 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (columns !== undefined && rows !== undefined) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, columns, rows]);
  return columns !== undefined && rows !== undefined ? { columns, rows } : size;
}
