import { createElement as h } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FarmView } from '../../tui/src/screens/farm-screen.js';
import { MinersView, INITIAL_MINER_LIST } from '../../tui/src/screens/miners-screen.js';
import { MinerDetailView } from '../../tui/src/screens/miner-detail-screen.js';
import { DiscoveryView } from '../../tui/src/screens/discovery-screen.js';
import { UpstreamsView } from '../../tui/src/screens/upstreams-screen.js';
import { LogView } from '../../tui/src/screens/log-screen.js';
import {
  DISCOVERY,
  SERIAL,
  EVENTS,
  SUMMARY,
  UPSTREAMS,
  farmHistory,
  minerDetail,
  minerRows,
} from './farm-data.js';
import { renderView, stripAnsi } from './harness.js';

afterEach(() => cleanup());

const frame = (r: { lastFrame: () => string | undefined }) => stripAnsi(r.lastFrame() ?? '');

describe('Farm screen', () => {
  it('shows hashrates, shares with reasons, miner counts, the upstream and alerts', () => {
    const out = frame(renderView(h(FarmView, { summary: SUMMARY, history: farmHistory() })));
    expect(out).toContain('1m 1.25 PH/s');
    expect(out).toContain('15m 1.22 PH/s');
    expect(out).toContain('1h 1.20 PH/s');
    expect(out).toContain('accepted 1,234,567');
    expect(out).toContain('rejected 1,234 (0.10%)');
    expect(out).toContain('low difficulty 800 · stale job 300 · duplicate 134');
    expect(out).toMatch(/2,500 total\s+2,447 up\s+27 idle\s+26 down/);
    expect(out).toContain('pool-main CONNECTED · latency 42 ms');
    expect(out).toContain('buffered 3,750 shares · replaying 1,250 of 5,000 (25%)');
    expect(out).toContain('ERROR  12 min ago  farm1.rig-0014 stopped submitting');
    expect(out).toContain('last 3 h');
    expect(out).toMatch(/[▁▂▃▄▅▆▇█]{20}/);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('draws the sparkline in ASCII and keeps every word without colour', () => {
    const out = frame(renderView(h(FarmView, { summary: SUMMARY, history: farmHistory() }), { ascii: true }));
    expect(out).not.toMatch(/[▁▂▃▄▅▆▇█·–°]/);
    expect(out).toMatch(/[#*+=]{20}/);
    expect(out).toContain('CONNECTED');
    expect(out).toContain('ERROR');
  });
});

describe('Miners screen', () => {
  const page = { total: 2_500, offset: 0, items: minerRows(18) };

  it('lists workers with formatted numbers and readable status labels at 80 columns', () => {
    const out = frame(renderView(h(MinersView, { page, state: INITIAL_MINER_LIST, pageSize: 18 })));
    const lines = out.split('\n');
    expect(lines[0]).toContain('2,500 miners · sort worker asc · page 1/139');
    expect(lines[1]).toMatch(/STAT\s+WORKER▲\s+IP\s+MAKE\/MODEL\s+HASHRATE\s+EXP\s+TEMP\s+REJ\s+LAST/);
    expect(out).toMatch(
      /> UP\s+farm1\.rig-0001\s+10\.0\.0\.2\s+Antminer …\s+90\.0 TH\/s\s+90%\s+62°C\s+0%\s+5 s/,
    );
    expect(out).toMatch(/IDLE\s+farm1\.rig-0008 .*9 min/);
    expect(out).toMatch(/DOWN\s+farm1\.rig-0014 .*0 H\/s .*never/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('uses the extra width of a wide terminal for the fan column', () => {
    const narrow = frame(renderView(h(MinersView, { page, state: INITIAL_MINER_LIST, pageSize: 18 })));
    const wide = frame(
      renderView(h(MinersView, { page, state: INITIAL_MINER_LIST, pageSize: 18 }), { width: 140 }),
    );
    expect(narrow).not.toContain(' FAN');
    expect(wide).toContain(' FAN');
    expect(wide).toContain('5,400');
    expect(wide).toContain('Antminer S19j Pro');
  });

  it('marks the sort column and its direction', () => {
    const state = { ...INITIAL_MINER_LIST, sort: 4, desc: true };
    const out = frame(renderView(h(MinersView, { page, state, pageSize: 18 }), { ascii: true }));
    expect(out).toContain('HASHRATEv');
    expect(out).toContain('sort hashrate desc');
  });
});

describe('Miner detail', () => {
  it('shows the miner, its history, pools, rejects by reason and recent errors', () => {
    const out = frame(renderView(h(MinerDetailView, { miner: minerDetail(0) })));
    expect(out).toContain('farm1.rig-0001  UP  10.0.0.2  Antminer S19j Pro  fw Braiins OS');
    expect(out).toContain('hashrate 90.0 TH/s of 100 TH/s expected (90%)');
    expect(out).toContain('diff 65,536');
    expect(out).toContain('History (180 min, peak');
    expect(out).toContain('0  stratum+tcp://10.0.0.1:3333  farm1.rig-0001  Alive');
    expect(out).toContain('1  stratum+tcp://backup.example.net:3333  farm1.backup  Dead');
    expect(out).toContain('fan 2 below 1000 rpm for 30 s');
    expect(out).toContain('temps 60 62°C · fans 5,400 5,460 rpm');
    const nine = frame(renderView(h(MinerDetailView, { miner: minerDetail(9) })));
    expect(nine).toContain('rejected 9 (0.09%): low difficulty 7, stale job 2');
  });
});

describe('Discovery screen', () => {
  it('shows scan progress and only the devices not yet adopted', () => {
    const out = frame(renderView(h(DiscoveryView, { discovery: DISCOVERY, pos: 0, naming: 'ip' })));
    expect(out).toContain('Scan RUNNING [██████████░░░░░░░░░░] 128/254 (50%) · 6 found · started 1 min ago');
    expect(out).toContain('Not adopted: 5 devices · 1 adopted · naming by ip');
    expect(out).toMatch(/> 10\.0\.20\.11\s+Antminer\s+S19j Pro/);
    expect(out).toContain('10.0.20.14');
    expect(out).not.toContain('10.0.20.16'); // the adopted Avalon
    expect(out).toContain('A adopt all Antminer');
  });

  it('shows the dry-run preview and asks before applying', () => {
    const adoption = {
      kind: 'preview' as const,
      label: 'all Antminer',
      request: { make: 'Antminer', naming: 'ip' as const, dryRun: true },
      changes: [
        {
          ip: '10.0.20.11',
          worker: 'farm1.10-0-20-11',
          from: ['stratum+tcp://old:3333'],
          to: ['stratum+tcp://10.0.20.1:3333'],
          applied: false,
        },
      ],
    };
    const out = frame(renderView(h(DiscoveryView, { discovery: DISCOVERY, pos: 0, naming: 'ip', adoption })));
    expect(out).toContain('Dry run: adopt all Antminer, 1 change (naming by ip)');
    expect(out).toContain('10.0.20.11 → farm1.10-0-20-11');
    expect(out).toContain('stratum+tcp://old:3333 → stratum+tcp://10.0.20.1:3333');
    expect(out).toContain('Apply these changes? y / n');
  });
});

describe('Discovery screen: USB / serial', () => {
  it('lists serial devices with state, hashrate, accepted and hardware errors, then ports and host miners', () => {
    const view = h(DiscoveryView, { discovery: DISCOVERY, pos: 0, naming: 'ip', serial: SERIAL });
    const out = frame(renderView(view, { ascii: true }));
    expect(out).toContain('USB / serial | 2 ports | 2 devices | 1 host miner');
    expect(out).toMatch(/DEVICE\s+PORT\s+STATE\s+HASHRATE\s+ACC\s+HW\s+MODEL/);
    // States are words: readable on a console without colour.
    expect(out).toMatch(/usb\.BE0042\s+ttyUSB0\s+MINING\s+338 MH\/s\s+1,204\s+2\s+Block Erupter/);
    expect(out).toMatch(/usb\.BE0043\s+ttyUSB1\s+UNPLUGGED\s+0 H\/s\s+17\s+0/);
    expect(out).toContain('port /dev/ttyUSB0  10c4:ea60 icarus Block Erupter  MINING');
    expect(out).toContain('port /dev/ttyUSB2  0403:6015 host-miner Compac F  RUNNING');
    expect(out).toContain('host compac  RUNNING  pid 4242 | 300 GH/s | acc 55 | hw 0');
    expect(out).toContain('10.0.20.11'); // the network list is still there
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('says so when nothing is plugged in, and fits a short terminal by counting what it leaves out', () => {
    const empty = { ports: [], devices: [], hostMiners: [] };
    const none = frame(
      renderView(h(DiscoveryView, { discovery: DISCOVERY, pos: 0, naming: 'ip', serial: empty })),
    );
    expect(none).toContain('USB / serial: nothing plugged in');
    const short = renderView(
      h(DiscoveryView, { discovery: DISCOVERY, pos: 0, naming: 'ip', serial: SERIAL }),
      {
        height: 12,
      },
    );
    const out = frame(short);
    expect(out).toContain('USB / serial');
    expect(out).toMatch(/… \d+ more lines?/);
    expect(out.split('\n').length).toBeLessThanOrEqual(12);
  });
});

describe('Upstreams screen', () => {
  it('lists upstreams by priority with state, latency, buffer depth and replay progress', () => {
    const out = frame(renderView(h(UpstreamsView, { upstreams: UPSTREAMS, summary: SUMMARY, pos: 0 })));
    expect(out).toMatch(/> \s*0 pool-main\s+ACTIVE\s+uplink\s+42 ms\s+uplink:\/\/pool\.example\.net:3000/);
    expect(out).toMatch(/1 pool-backup\s+DOWN\s+stratum\s+–\s+stratum\+tcp:\/\/backup/);
    expect(out).toContain('pool-main: uplink://pool.example.net:3000\n  last error: none');
    const second = frame(renderView(h(UpstreamsView, { upstreams: UPSTREAMS, summary: SUMMARY, pos: 1 })));
    expect(second).toContain('last error: connect ETIMEDOUT after 5 s');
    expect(out).toMatch(/2 solo-node\s+DISABLED/);
    expect(out).toContain('Buffer  3,750 shares waiting · active pool-main connected');
    expect(out).toContain('Replay  [█████░░░░░░░░░░░░░░░] 1,250 of 5,000 (25%)');
  });
});

describe('Log screen', () => {
  it('lists events newest first with level labels and who they concern', () => {
    const out = frame(renderView(h(LogView, { events: EVENTS, level: null, text: '', pos: 0 })));
    const lines = out.split('\n');
    expect(lines[0]).toContain('6 events, newest first · level all');
    expect(lines[1]).toMatch(/> \d\d:\d\d:\d\d INFO\s+share\s+farm1\.rig-0003: block candidate accepted/);
    expect(out).toMatch(/ERROR miner\s+farm1\.rig-0014: stopped submitting/);
    expect(out).toMatch(/WARN\s+miner\s+farm1\.rig-0001: fan 2 below 1000 rpm/);
  });
});
