import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ContractServer } from './contract-server.js';
import { KEY, press, renderApp, waitForFrame } from './harness.js';

let agent: ContractServer;
beforeAll(async () => {
  agent = await new ContractServer({ miners: 2_500 }).start();
});
afterAll(() => agent.stop());
afterEach(() => cleanup());

const rowLines = (frame: string) => frame.split('\n').filter((l) => / farm1\.rig-\d{4}/.test(l));

describe('the app against a contract server', () => {
  it('opens on the Farm screen with the live summary and history', async () => {
    const app = renderApp(agent.url);
    const frame = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('1m 1.25 PH/s') && f.includes('last 3 h'),
    );
    expect(frame).toContain('[1 Farm]');
    expect(frame).toContain('2,500 total');
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    const history = agent.requests.find((r) => r.path === '/api/v1/history');
    expect(history?.query.get('scope')).toBe('farm');
    expect(history?.query.get('minutes')).toBe('180');
  });

  it('a larger terminal gets more rows per page, more columns and a longer history', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners', columns: 160, rows: 50 });
    const frame = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('2,500 miners') && !f.includes('loading'),
    );
    expect(rowLines(frame)).toHaveLength(50 - 1 - 2 - 3);
    expect(frame).toContain(' FAN');
    expect(frame).toContain('Antminer S19j Pro');
    await press(app.stdin, '1');
    await waitForFrame(app.lastFrame, (f) => f.includes('last 6 h'));
    expect(agent.requests.some((r) => r.path === '/api/v1/history' && r.query.get('minutes') === '360')).toBe(
      true,
    );
  });

  it('tab, shift-tab and number keys switch screens', async () => {
    const app = renderApp(agent.url);
    await waitForFrame(app.lastFrame, (f) => f.includes('1m 1.25 PH/s'));
    await press(app.stdin, KEY.tab);
    await waitForFrame(app.lastFrame, (f) => f.includes('[2 Miners]') && f.includes('2,500 miners'));
    await press(app.stdin, KEY.shiftTab);
    await waitForFrame(app.lastFrame, (f) => f.includes('[1 Farm]'));
    await press(app.stdin, '4');
    await waitForFrame(app.lastFrame, (f) => f.includes('[4 Upstreams]') && f.includes('pool-backup'));
    await press(app.stdin, '5');
    await waitForFrame(app.lastFrame, (f) => f.includes('[5 Log]') && f.includes('6 events'));
    await press(app.stdin, '?');
    const help = await waitForFrame(app.lastFrame, (f) => f.includes('Keys'));
    expect(help).toContain('Tab / Shift-Tab, 1-5');
    await press(app.stdin, 'l'); // closes the help, and only that: the level stays "all"
    const back = await waitForFrame(app.lastFrame, (f) => f.includes('6 events'));
    expect(back).toContain('level all');
  });

  it('the miner filter narrows the rows (server side) and Esc clears it', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    const all = await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    expect(rowLines(all).length).toBe(18);
    await press(app.stdin, '/', ...'rig-012');
    const filtered = await waitForFrame(app.lastFrame, (f) => f.includes('10 miners'));
    expect(filtered).toContain('filter "rig-012"');
    const rows = rowLines(filtered);
    expect(rows.length).toBe(10);
    for (const row of rows) expect(row).toMatch(/farm1\.rig-012\d/);
    // Global keys type into the filter while it is open: "2" did not switch to screen 2.
    await press(app.stdin, KEY.enter, KEY.escape);
    const cleared = await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    expect(cleared).not.toContain('filter "');
  });

  it('keys that arrive in one read (a paste, tmux send-keys) are taken one by one', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    app.stdin.write('/rig-012');
    const filtered = await waitForFrame(app.lastFrame, (f) => f.includes('10 miners'));
    expect(filtered).toContain('filter: rig-012');
    app.stdin.write('3\r'); // types "3", then Enter keeps the filter and closes the field
    const kept = await waitForFrame(app.lastFrame, (f) => f.includes('1 miners') && !f.includes('filter: '));
    expect(kept).toContain('filter "rig-0123"');
  });

  it('a read of several keys that switches screens hands the rest to the new screen', async () => {
    const app = renderApp(agent.url, { initialScreen: 'farm' });
    await waitForFrame(app.lastFrame, (f) => f.includes('1m 1.25 PH/s'));
    app.stdin.write('5l/fan');
    const frame = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('[5 Log]') && f.includes('filter: fan'),
    );
    expect(frame).toContain('level error');
  });

  it('a screen keeps its filter and sort when the technician comes back to it', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    await press(app.stdin, 'r', '/', ...'rig-00', KEY.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('99 miners') && f.includes('sort worker desc'));
    await press(app.stdin, '1');
    await waitForFrame(app.lastFrame, (f) => f.includes('[1 Farm]'));
    await press(app.stdin, '2');
    const back = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('[2 Miners]') && f.includes('99 miners'),
    );
    expect(back).toContain('sort worker desc');
    expect(back).toContain('filter "rig-00"');
  });

  it('s cycles the sort column and r reverses it; paging asks the server for the next page', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    await press(app.stdin, 'r');
    const reversed = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('sort worker desc') && f.includes('rig-2500'),
    );
    expect(rowLines(reversed)[0]).toContain('farm1.rig-2500');
    await press(app.stdin, 's', 's', 's', 's');
    const fastest = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('sort hashrate desc') && !f.includes('loading'),
    );
    expect(rowLines(fastest)[0]).toMatch(/UP .*10[0-9] TH\/s/);
    await press(app.stdin, 'r');
    const slowest = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('sort hashrate asc') && !f.includes('loading'),
    );
    expect(rowLines(slowest)[0]).toMatch(/(DOWN|IDLE) .* 0 H\/s/);
    await press(app.stdin, KEY.pageDown);
    const second = await waitForFrame(app.lastFrame, (f) => f.includes('page 2/139'));
    expect(second).toContain('page 2/139');
    const last = agent.requests.filter((r) => r.path === '/api/v1/miners').at(-1);
    expect(last?.query.get('offset')).toBe('18');
    expect(last?.query.get('limit')).toBe('18');
    expect(last?.query.get('sort')).toBe('hashrate');
    expect(last?.query.get('order')).toBe('asc');
    await press(app.stdin, 'G');
    await waitForFrame(app.lastFrame, (f) => f.includes('page 139/139'));
    await press(app.stdin, 'g');
    await waitForFrame(app.lastFrame, (f) => f.includes('page 1/139'));
  });

  it('Enter opens a miner; R restarts after y; p re-points with the form', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
    await press(app.stdin, 'j', 'j', KEY.enter);
    const detail = await waitForFrame(app.lastFrame, (f) => f.includes('Pools'));
    expect(detail).toContain('farm1.rig-0003  UP  10.0.0.4  Avalon 1246');
    await press(app.stdin, 'R');
    await waitForFrame(app.lastFrame, (f) => f.includes('through its API? y / n'));
    expect(agent.posts('/api/v1/miners/farm1.rig-0003/restart')).toHaveLength(0);
    await press(app.stdin, 'y');
    await waitForFrame(app.lastFrame, (f) => f.includes('restart farm1.rig-0003: sent'));
    expect(agent.posts('/api/v1/miners/farm1.rig-0003/restart')).toHaveLength(1);

    await press(app.stdin, 'p');
    await waitForFrame(app.lastFrame, (f) => f.includes('> pool url: stratum+tcp://10.0.0.1:3333'));
    // Replace the url, keep the user, type a password, send.
    await press(
      app.stdin,
      '\u0015',
      ...'stratum+tcp://10.0.0.9:3333',
      KEY.enter,
      KEY.enter,
      ...'x',
      KEY.enter,
    );
    await waitForFrame(app.lastFrame, (f) =>
      f.includes('re-point farm1.rig-0003 to stratum+tcp://10.0.0.9:3333: sent'),
    );
    const [repoint] = agent.posts('/api/v1/miners/farm1.rig-0003/repoint');
    expect(repoint?.body).toEqual({
      url: 'stratum+tcp://10.0.0.9:3333',
      user: 'farm1.rig-0003',
      password: 'x',
    });
    await press(app.stdin, KEY.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('2,500 miners'));
  });

  it('adopting shows the dry run first and applies only after y', async () => {
    const app = renderApp(agent.url, { initialScreen: 'discovery' });
    await waitForFrame(app.lastFrame, (f) => f.includes('Not adopted: 5 devices'));
    await press(app.stdin, 'A');
    const preview = await waitForFrame(app.lastFrame, (f) => f.includes('Apply these changes? y / n'));
    expect(preview).toContain('Dry run: adopt all Antminer, 3 changes (naming by ip)');
    const dry = agent.posts('/api/v1/discovery/adopt');
    expect(dry.map((r) => r.body)).toEqual([{ make: 'Antminer', naming: 'ip', dryRun: true }]);
    await press(app.stdin, 'y');
    await waitForFrame(
      app.lastFrame,
      (f) => f.includes('adopted 3 of 3') && f.includes('Not adopted: 2 devices'),
    );
    expect(agent.posts('/api/v1/discovery/adopt').at(-1)?.body).toEqual({
      make: 'Antminer',
      naming: 'ip',
      dryRun: false,
    });
  });

  it('upstreams: s switches, e disables the selected one', async () => {
    const app = renderApp(agent.url, { initialScreen: 'upstreams' });
    await waitForFrame(app.lastFrame, (f) => f.includes('pool-backup'));
    await press(app.stdin, 'j', 's');
    await waitForFrame(app.lastFrame, (f) => /pool-backup\s+RECONNECT/.test(f));
    expect(agent.posts('/api/v1/upstreams/pool-backup/switch')).toHaveLength(1);
    await press(app.stdin, 'j', 'e');
    await waitForFrame(app.lastFrame, (f) => /solo-node\s+DOWN/.test(f));
    expect(agent.posts('/api/v1/upstreams/solo-node/enable')).toHaveLength(1);
  });

  it('log: l cycles the level and / filters by text', async () => {
    const app = renderApp(agent.url, { initialScreen: 'log' });
    await waitForFrame(app.lastFrame, (f) => f.includes('6 events'));
    await press(app.stdin, 'l');
    const errors = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('2 events') && f.includes('level error'),
    );
    expect(errors).not.toContain('INFO');
    await press(app.stdin, 'l', 'l', 'l', '/', ...'fan');
    const fan = await waitForFrame(app.lastFrame, (f) => f.includes('1 event,'));
    expect(fan).toContain('fan 2 below 1000 rpm');
  });
});

describe('an unreachable agent', () => {
  it('keeps the last data on screen under a reconnect banner, and recovers', async () => {
    const flaky = await new ContractServer({ miners: 40 }).start();
    const app = renderApp(flaky.url);
    await waitForFrame(app.lastFrame, (f) => f.includes('1m 1.25 PH/s'));
    await flaky.stop();
    const down = await waitForFrame(app.lastFrame, (f) =>
      f.includes('agent unreachable — retrying… last data'),
    );
    expect(down).toContain('1m 1.25 PH/s');
    await flaky.restart();
    await waitForFrame(app.lastFrame, (f) => !f.includes('agent unreachable'));
    await flaky.stop();
  });

  it('shows the banner with no data when the agent was never there, and the keys still work', async () => {
    const gone = await new ContractServer().start();
    const url = gone.url;
    await gone.stop();
    const app = renderApp(url);
    await waitForFrame(app.lastFrame, (f) => f.includes('agent unreachable — retrying… no data yet'));
    await press(app.stdin, '2');
    await waitForFrame(
      app.lastFrame,
      (f) => f.includes('[2 Miners]') && f.includes('cannot reach the agent'),
    );
  });

  it('a refused token says so and names --token', async () => {
    const locked = await new ContractServer({ miners: 10, token: 'right' }).start();
    const app = renderApp(locked.url, {}, 'wrong');
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('agent refused the token'));
    expect(frame).toContain('--token');
    await locked.stop();
  });

  it('a slow agent does not block the keys', async () => {
    const slow = await new ContractServer({ delayMs: 800 }).start();
    const app = renderApp(slow.url);
    await waitForFrame(app.lastFrame, (f) => f.includes('loading the farm summary'));
    await press(app.stdin, '5');
    await waitForFrame(app.lastFrame, (f) => f.includes('[5 Log]') && f.includes('loading'));
    await waitForFrame(app.lastFrame, (f) => f.includes('6 events'), 5000);
    await slow.stop();
  });
});
