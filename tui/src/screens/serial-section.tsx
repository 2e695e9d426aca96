import { Box } from 'ink';
import type { HostMiner, SerialDevice, SerialPort, SerialStatus } from '../api/types.js';
import { useUi } from '../app/ui-context.js';
import { Tone } from '../components/tone.js';
import type { ToneName } from '../components/tone.js';
import { layoutColumns, renderHeader, renderRow, truncate } from '../format/text.js';
import type { Column } from '../format/text.js';
import { formatCount, formatHashrate } from '../format/units.js';

// The Discovery screen's "USB / serial" section: sticks the agent drives itself, the ports the USB
// inventory sees and the supervised host miners (GET /api/v1/serial). States are upper-case words,
// so a monochrome console reads them as well as a coloured one.

const STATE_TONE: Record<string, ToneName> = {
  mining: 'good',
  running: 'good',
  opening: 'warn',
  handshake: 'warn',
  waiting: 'warn',
  unplugged: 'bad',
  stopped: 'bad',
};

interface Line {
  key: string;
  text: string;
  tone: ToneName;
  bold?: boolean;
}

/** Lines the section wants at most: title, device header and rows, ports, host miners. */
export function serialLineCount(serial: SerialStatus | null): number {
  if (!serial) return 1;
  const { ports, devices, hostMiners } = serial;
  return 1 + (devices.length > 0 ? 1 + devices.length : 0) + ports.length + hostMiners.length;
}

/** The section in at most `maxLines` lines (at least the title); what does not fit is counted. */
export function SerialSection({
  serial,
  error,
  maxLines,
}: {
  serial: SerialStatus | null;
  error?: string | null;
  maxLines: number;
}) {
  const { width, ascii } = useUi();
  const lines = serialLines(serial, error ?? null, width, ascii);
  const budget = Math.max(1, maxLines);
  const shown = lines.length > budget ? lines.slice(0, budget - 1) : lines;
  const hidden = lines.length - shown.length;
  return (
    <Box flexDirection="column" width={width}>
      {shown.map((l) => (
        <Tone key={l.key} tone={l.tone} bold={l.bold ?? false}>
          {truncate(l.text, width, ascii)}
        </Tone>
      ))}
      {hidden > 0 ? (
        <Tone tone="dim">{`  ${ascii ? '...' : '…'} ${hidden} more line${hidden === 1 ? '' : 's'}`}</Tone>
      ) : null}
    </Box>
  );
}

function serialLines(
  serial: SerialStatus | null,
  error: string | null,
  width: number,
  ascii: boolean,
): Line[] {
  const dot = ascii ? ' | ' : ' · ';
  if (!serial) {
    const text = error ? `USB / serial: ${error}` : `USB / serial: loading${ascii ? '...' : '…'}`;
    return [{ key: 'title', text, tone: error ? 'bad' : 'dim', bold: true }];
  }
  const { ports, devices, hostMiners } = serial;
  const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
  const title = `USB / serial${dot}${plural(ports.length, 'port')}${dot}${plural(devices.length, 'device')}${dot}${plural(hostMiners.length, 'host miner')}`;
  if (ports.length + devices.length + hostMiners.length === 0)
    return [{ key: 'title', text: 'USB / serial: nothing plugged in', tone: 'dim' }];
  const out: Line[] = [{ key: 'title', text: title, tone: 'plain', bold: true }];
  if (devices.length > 0) {
    const columns = layoutColumns(deviceColumns(ascii), width - 2);
    out.push({ key: 'head', text: `  ${renderHeader(columns, ascii)}`, tone: 'plain', bold: true });
    for (const d of devices)
      out.push({ key: `d:${d.path}`, text: `  ${renderRow(columns, d, ascii)}`, tone: toneOf(d.state) });
  }
  for (const p of ports) out.push({ key: `p:${p.path}`, text: portLine(p), tone: toneOf(p.state) });
  for (const h of hostMiners) out.push({ key: `h:${h.name}`, text: hostLine(h, dot), tone: toneOf(h.state) });
  return out;
}

function toneOf(state: string): ToneName {
  return STATE_TONE[state] ?? 'dim';
}

function deviceColumns(ascii: boolean): Column<SerialDevice>[] {
  const none = ascii ? '-' : '–';
  return [
    { key: 'worker', title: 'DEVICE', width: 14, flex: true, priority: 100, cell: (d) => d.worker },
    { key: 'port', title: 'PORT', width: 9, priority: 60, cell: (d) => d.name },
    { key: 'state', title: 'STATE', width: 9, priority: 95, cell: (d) => d.state.toUpperCase() },
    {
      key: 'hashrate',
      title: 'HASHRATE',
      width: 10,
      align: 'right',
      priority: 90,
      cell: (d) => formatHashrate(d.hashrate),
    },
    {
      key: 'acc',
      title: 'ACC',
      width: 6,
      align: 'right',
      priority: 80,
      cell: (d) => formatCount(d.accepted),
    },
    {
      key: 'hw',
      title: 'HW',
      width: 5,
      align: 'right',
      priority: 85,
      cell: (d) => formatCount(d.hardwareErrors),
    },
    { key: 'model', title: 'MODEL', width: 10, flex: true, priority: 50, cell: (d) => d.model || none },
  ];
}

/** "  port /dev/ttyUSB2  0403:6014 host-miner GekkoScience Compac F  RUNNING" */
function portLine(p: SerialPort): string {
  const what = p.usbId
    ? [p.usbId, p.driver ?? 'unknown stick', p.model].filter(Boolean).join(' ')
    : 'not USB';
  return `  port ${p.path}  ${what}  ${p.state.toUpperCase()}`;
}

/** "  host cgminer-compac  RUNNING  pid 4242 · 1.20 TH/s · acc 55 · hw 0" */
function hostLine(h: HostMiner, dot: string): string {
  const facts = [
    h.pid !== null ? `pid ${h.pid}` : '',
    h.hashrate !== null ? formatHashrate(h.hashrate) : '',
    h.accepted !== null ? `acc ${formatCount(h.accepted)}` : '',
    h.hardwareErrors !== null ? `hw ${formatCount(h.hardwareErrors)}` : '',
    h.apiError ? `api: ${h.apiError}` : '',
  ].filter(Boolean);
  return `  host ${h.name}  ${h.state.toUpperCase()}${facts.length > 0 ? `  ${facts.join(dot)}` : ''}`;
}
