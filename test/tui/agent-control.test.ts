// The TUI against the agent's own control API server (agent/src/control), fed the canned farm through
// a ControlSource: the two sides of docs/control-api.md checked against each other in-process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import pino from 'pino';
import { ControlServer } from '../../agent/src/control/index.js';
import type { ControlSource } from '../../agent/src/control/index.js';
import { ControlClient } from '@farmhand/tui';
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
import { KEY, press, renderApp, waitForFrame } from './harness.js';

const rows = minerRows(1_000);
const actions: string[] = [];
const source: ControlSource = {
  health: () => ({ status: 'ok', version: '0.1.0', uptimeS: 1, checks: { store: 'ok' } }),
  summary: () => SUMMARY,
  miners: () => rows,
  miner: (id) => {
    const i = rows.findIndex((r) => r.id === id);
    return i < 0 ? null : minerDetail(i);
  },
  workers: () => [],
  upstreams: () => UPSTREAMS,
  history: (_scope, _key, minutes) => farmHistory(minutes).points,
  events: ({ limit, level, q }) =>
    EVENTS.filter((e) => !level || e.level === level)
      .filter((e) => !q || e.message.includes(q))
      .slice(0, limit),
  discovery: () => DISCOVERY,
  serial: () => SERIAL,
  switchUpstream: async (name) => (actions.push(`switch ${name}`), { ok: true }),
  enableUpstream: async (name, on) => (actions.push(`${on ? 'enable' : 'disable'} ${name}`), { ok: true }),
  restartMiner: async (id) => (actions.push(`restart ${id}`), { ok: true }),
  repointMiner: async (id, t) => (actions.push(`repoint ${id} ${t.url}`), { ok: true }),
  startScan: async (ranges) => (actions.push(`scan ${ranges.join(',')}`), { ok: true }),
  adopt: async (r) => {
    actions.push(`adopt ${r.make ?? r.ips?.join(',')} dryRun=${r.dryRun}`);
    const chosen = DISCOVERY.devices.filter(
      (d) => !d.adopted && (r.ips ? r.ips.includes(d.ip) : d.make === r.make),
    );
    return {
      ok: true,
      changes: chosen.map((d) => ({
        ip: d.ip,
        worker: `farm1.${d.ip}`,
        from: [],
        to: ['x'],
        applied: !r.dryRun,
      })),
    };
  },
  metrics: async () => '',
};

let server: ControlServer;
let url: string;
beforeAll(async () => {
  server = new ControlServer(source, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  url = `http://127.0.0.1:${(await server.listen()).port}`;
});
afterAll(() => server.close());
afterEach(() => cleanup());

describe('the TUI against the agent control server', () => {
  it('every read the TUI makes is answered in the shape it expects', async () => {
    const client = new ControlClient({ baseUrl: url });
    const page = await client.miners({
      sort: 'hashrate',
      order: 'desc',
      filter: 'antminer',
      offset: 0,
      limit: 5,
    });
    expect(page.ok && page.value.total).toBe(250);
    expect(page.ok && page.value.items[0]!.make).toBe('Antminer');
    const history = await client.history('farm', 180);
    expect(history.ok && history.value.points).toHaveLength(180);
    const events = await client.events({ limit: 10, level: 'error' });
    expect(events.ok && events.value.items.map((e) => e.id)).toEqual([4, 2]);
    const detail = await client.miner('farm1.rig-0001');
    expect(detail.ok && detail.value.pools).toHaveLength(2);
    const missing = await client.miner('nobody');
    expect(missing.ok ? null : missing.error.status).toBe(404);
    expect((await client.discovery()).ok).toBe(true);
    expect((await client.upstreams()).ok).toBe(true);
    const serial = await client.serial();
    expect(serial.ok && serial.value).toEqual(SERIAL);
  });

  it('the actions the TUI sends are accepted', async () => {
    const client = new ControlClient({ baseUrl: url });
    expect((await client.switchUpstream('pool-backup')).ok).toBe(true);
    expect((await client.setUpstreamEnabled('solo-node', true)).ok).toBe(true);
    expect((await client.restartMiner('farm1.rig-0001')).ok).toBe(true);
    expect((await client.repointMiner('farm1.rig-0001', { url: 'stratum+tcp://h:1', user: 'a.b' })).ok).toBe(
      true,
    );
    expect((await client.startScan(['10.0.20.0/24'])).ok).toBe(true);
    const dry = await client.adopt({ make: 'Antminer', naming: 'ip', dryRun: true });
    expect(dry.ok && dry.value.changes).toHaveLength(3);
    expect(actions).toEqual([
      'switch pool-backup',
      'enable solo-node',
      'restart farm1.rig-0001',
      'repoint farm1.rig-0001 stratum+tcp://h:1',
      'scan 10.0.20.0/24',
      'adopt Antminer dryRun=true',
    ]);
  });

  it('the app shows the farm and filters the miners through the agent server', async () => {
    const app = renderApp(url);
    await waitForFrame(app.lastFrame, (f) => f.includes('1m 1.25 PH/s') && f.includes('last 3 h'));
    await press(app.stdin, '2');
    await waitForFrame(app.lastFrame, (f) => f.includes('1,000 miners'));
    await press(app.stdin, '/', ...'rig-099', KEY.enter);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('10 miners') && !f.includes('loading'));
    expect(frame).toContain('farm1.rig-0990');
    expect(frame).toContain('farm1.rig-0999');
  });
});
