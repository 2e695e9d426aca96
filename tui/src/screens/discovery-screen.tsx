import { Box, Text } from 'ink';
import { useState } from 'react';
import { usePoll } from '../api/use-poll.js';
import type {
  AdoptChange,
  AdoptNaming,
  AdoptRequest,
  Device,
  Discovery,
  SerialStatus,
} from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { useCapture, useKeys } from '../components/keys.js';
import { useRemembered } from '../components/remembered.js';
import { moveCursor, windowStart } from '../components/list-cursor.js';
import { Tone } from '../components/tone.js';
import { layoutColumns, renderHeader, renderRow, truncate } from '../format/text.js';
import type { Column } from '../format/text.js';
import { formatCount, formatPercent, formatSince } from '../format/units.js';
import { SerialSection, serialLineCount } from './serial-section.js';

const NAMINGS: AdoptNaming[] = ['ip', 'serial', 'mac'];

/** Adoption always goes through a dry run: the preview is shown, and only `y` applies it. */
type Adoption =
  | { kind: 'none' }
  | { kind: 'previewing'; label: string }
  | { kind: 'preview'; label: string; request: AdoptRequest; changes: AdoptChange[] }
  | { kind: 'applying'; label: string }
  | { kind: 'result'; message: string; failed: boolean; changes: AdoptChange[] };

export function DiscoveryScreen() {
  const { client, refreshMs, now } = useUi();
  const discovery = usePoll(() => client.discovery(), refreshMs, 'discovery', now);
  const serial = usePoll(() => client.serial(), refreshMs, 'serial', now);
  const [pos, setPos] = useRemembered('discovery.pos', 0);
  const [naming, setNaming] = useRemembered('discovery.naming', 0);
  const [adoption, setAdoption] = useState<Adoption>({ kind: 'none' });
  useCapture(adoption.kind === 'preview');
  const devices = pending(discovery.data);
  const selected = devices[Math.min(pos, devices.length - 1)];
  const namingName = NAMINGS[naming] ?? 'ip';

  const preview = async (label: string, target: Pick<AdoptRequest, 'ips' | 'make'>) => {
    setAdoption({ kind: 'previewing', label });
    const request: AdoptRequest = { ...target, naming: namingName, dryRun: true };
    const result = await client.adopt(request);
    setAdoption(
      result.ok
        ? { kind: 'preview', label, request, changes: result.value.changes }
        : { kind: 'result', message: `dry run failed: ${result.error.message}`, failed: true, changes: [] },
    );
  };
  const apply = async (label: string, request: AdoptRequest) => {
    setAdoption({ kind: 'applying', label });
    const result = await client.adopt({ ...request, dryRun: false });
    if (!result.ok) {
      setAdoption({
        kind: 'result',
        message: `adopt failed: ${result.error.message}`,
        failed: true,
        changes: [],
      });
    } else {
      const changes = result.value.changes;
      const applied = changes.filter((c) => c.applied).length;
      setAdoption({
        kind: 'result',
        message: `adopted ${applied} of ${changes.length}`,
        failed: applied < changes.length,
        changes: changes.filter((c) => !c.applied),
      });
    }
    discovery.refresh();
  };

  useKeys((input, key) => {
    if (adoption.kind === 'previewing' || adoption.kind === 'applying') return;
    if (adoption.kind === 'preview') {
      if (input === 'y') void apply(adoption.label, adoption.request);
      else if (input === 'n' || key.escape) setAdoption({ kind: 'none' });
      return;
    }
    const moved = moveCursor(input, key, pos, devices.length, 10);
    if (moved !== null) return setPos(moved);
    if (key.escape) return setAdoption({ kind: 'none' });
    if (input === 'n') return setNaming((n) => (n + 1) % NAMINGS.length);
    if (input === 'a' && selected) return void preview(selected.ip, { ips: [selected.ip] });
    if (input === 'A' && selected) return void preview(`all ${selected.make}`, { make: selected.make });
    if (
      input === 'S' &&
      discovery.data &&
      discovery.data.scan.ranges.length > 0 &&
      !discovery.data.scan.running
    ) {
      void client.startScan(discovery.data.scan.ranges).then(() => discovery.refresh());
    }
  });

  if (!discovery.data) {
    return <Text>{discovery.error ? `discovery: ${discovery.error.message}` : 'loading discovery…'}</Text>;
  }
  return (
    <DiscoveryView
      discovery={discovery.data}
      pos={pos}
      naming={namingName}
      adoption={adoption}
      serial={serial.data}
      serialError={serial.error?.message ?? null}
    />
  );
}

function pending(discovery: Discovery | null): Device[] {
  return (discovery?.devices ?? []).filter((d) => !d.adopted);
}

export interface DiscoveryViewProps {
  discovery: Discovery;
  pos: number;
  naming: AdoptNaming;
  adoption?: Adoption;
  /** GET /api/v1/serial; the section is left out when undefined, shows "loading" while null. */
  serial?: SerialStatus | null;
  serialError?: string | null;
}

export function DiscoveryView({
  discovery,
  pos,
  naming,
  adoption = { kind: 'none' },
  serial,
  serialError = null,
}: DiscoveryViewProps) {
  const { width, height, ascii, now } = useUi();
  const dot = ascii ? ' | ' : ' · ';
  const { scan } = discovery;
  const devices = pending(discovery);
  const adopted = discovery.devices.length - devices.length;
  const barWidth = 20;
  const filled = scan.total > 0 ? Math.round((scan.done / scan.total) * barWidth) : 0;
  const bar = `[${(ascii ? '#' : '█').repeat(filled)}${(ascii ? '.' : '░').repeat(barWidth - filled)}]`;
  const columns = layoutColumns(deviceColumns(now(), ascii), width - 2);
  const panel = adoptionLines(adoption, ascii);
  // The USB / serial section gets what the list can spare beyond two rows (at least its title line).
  const serialRows =
    serial === undefined ? 0 : Math.min(serialLineCount(serial), Math.max(1, height - 7 - panel.length));
  const listRows = Math.max(2, height - 5 - panel.length - serialRows);
  const first = windowStart(pos, listRows, devices.length);
  const selected = Math.min(pos, devices.length - 1);
  const make = devices[selected]?.make;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {'Scan '}
        <Tone tone={scan.running ? 'accent' : 'dim'} bold>
          {scan.running ? 'RUNNING' : scan.startedAt === null ? 'NEVER RUN' : 'DONE'}
        </Tone>
        {scan.total > 0
          ? ` ${bar} ${formatCount(scan.done)}/${formatCount(scan.total)} (${formatPercent(scan.done, scan.total, ascii)})`
          : ''}
        {`${dot}${formatCount(scan.found)} found${scan.startedAt ? `${dot}started ${formatSince(scan.startedAt, now())} ago` : ''}`}
      </Text>
      <Tone tone="dim">{`ranges ${scan.ranges.join(', ') || '(none)'}`}</Tone>
      <Text wrap="truncate">
        {`Not adopted: ${formatCount(devices.length)} device${devices.length === 1 ? '' : 's'}${dot}${formatCount(adopted)} adopted${dot}naming by ${naming}`}
      </Text>
      <Text bold wrap="truncate">
        {'  '}
        {renderHeader(columns, ascii)}
      </Text>
      {devices.length === 0 ? <Tone tone="dim">{'  nothing waiting for adoption'}</Tone> : null}
      {devices.slice(first, first + listRows).map((device, i) => {
        const isSelected = first + i === selected;
        return (
          <Text key={device.ip} inverse={isSelected && !ascii} wrap="truncate">
            {isSelected ? '> ' : '  '}
            {renderRow(columns, device, ascii)}
          </Text>
        );
      })}
      {serial !== undefined ? (
        <SerialSection serial={serial} error={serialError} maxLines={serialRows} />
      ) : null}
      {panel.length > 0 ? (
        panel.map((line, i) => (
          <Text key={i} wrap="truncate" bold={i === 0}>
            {truncate(line, width, ascii)}
          </Text>
        ))
      ) : (
        <Tone tone="dim">{`a adopt selected${dot}A adopt all ${make ?? '(make)'}${dot}n naming${dot}S rescan`}</Tone>
      )}
    </Box>
  );
}

function deviceColumns(now: number, ascii: boolean): Column<Device>[] {
  const none = ascii ? '-' : '–';
  return [
    { key: 'ip', title: 'IP', width: 13, priority: 100, cell: (d) => d.ip },
    { key: 'make', title: 'MAKE', width: 9, priority: 90, cell: (d) => d.make },
    { key: 'model', title: 'MODEL', width: 10, flex: true, priority: 80, cell: (d) => d.model ?? none },
    {
      key: 'firmware',
      title: 'FIRMWARE',
      width: 12,
      flex: true,
      priority: 50,
      cell: (d) => [d.firmware, d.firmwareVersion].filter(Boolean).join(' ') || none,
    },
    {
      key: 'ths',
      title: 'TH/S',
      width: 6,
      align: 'right',
      priority: 60,
      cell: (d) => (d.hashrateThs === null ? none : d.hashrateThs.toFixed(1)),
    },
    { key: 'mac', title: 'MAC', width: 17, priority: 30, cell: (d) => d.mac ?? none },
    { key: 'serial', title: 'SERIAL', width: 12, priority: 20, cell: (d) => d.serial ?? none },
    {
      key: 'seen',
      title: 'SEEN',
      width: 6,
      align: 'right',
      priority: 40,
      cell: (d) => formatSince(d.lastSeen, now),
    },
  ];
}

/** The preview / result panel as plain lines. */
function adoptionLines(adoption: Adoption, ascii: boolean): string[] {
  const arrow = ascii ? '->' : '→';
  // Two lines a device: who it becomes, then where it points before and after.
  const change = (c: AdoptChange) => [
    `  ${c.ip} ${arrow} ${c.worker}${c.error ? `  failed: ${c.error}` : ''}`,
    `      ${c.from.join(', ') || '(no pool)'} ${arrow} ${c.to.join(', ')}`,
  ];
  switch (adoption.kind) {
    case 'none':
      return [];
    case 'previewing':
      return [`dry run for ${adoption.label}…`];
    case 'applying':
      return [`adopting ${adoption.label}…`];
    case 'preview':
      return [
        `Dry run: adopt ${adoption.label}, ${adoption.changes.length} change${adoption.changes.length === 1 ? '' : 's'} (naming by ${adoption.request.naming})`,
        ...adoption.changes.slice(0, 3).flatMap(change),
        ...(adoption.changes.length > 3
          ? [`  ${ascii ? '...' : '…'} and ${adoption.changes.length - 3} more`]
          : []),
        'Apply these changes? y / n',
      ];
    case 'result':
      return [adoption.message, ...adoption.changes.slice(0, 2).flatMap(change)];
  }
}
