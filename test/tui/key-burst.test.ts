// Keys typed faster than the UI renders: a paste, tmux send-keys, a slow SSH link. A pty hands such a
// burst over in one read or split across several; either way every key must land where it was aimed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ContractServer } from './contract-server.js';
import { renderApp, waitForFrame } from './harness.js';

let agent: ContractServer;
beforeAll(async () => {
  agent = await new ContractServer({ miners: 50 }).start();
});
afterAll(() => agent.stop());
afterEach(() => cleanup());

const kept = (f: string) => f.includes('filter "tech.bitaxe-1"') && !f.includes('filter: ');

describe('a burst of keys on the Miners screen', () => {
  it('one read "/tech.bitaxe-1⏎" opens the filter, types all of it (the digit too) and keeps it', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('50 miners'));
    app.stdin.write('/tech.bitaxe-1\r');
    const frame = await waitForFrame(app.lastFrame, kept, 3000);
    expect(frame).toContain('[2 Miners]'); // "1" typed, it did not switch to the Farm screen
    expect(frame).not.toContain('[1 Farm]');
  });

  it('the same burst split over several reads in one tick keeps its order', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('50 miners'));
    // Before the fix each read was replayed on its own: the reads overtook each other, letters were
    // lost and "1" reached the app's global keys as "go to Farm".
    for (const read of ['/', 'tech.bi', 'taxe-', '1', '\r']) app.stdin.write(read);
    const frame = await waitForFrame(app.lastFrame, kept, 3000);
    expect(frame).toContain('[2 Miners]');
  });

  it('split over reads a turn apart, the field still gets every key in order', async () => {
    const app = renderApp(agent.url, { initialScreen: 'miners' });
    await waitForFrame(app.lastFrame, (f) => f.includes('50 miners'));
    for (const read of ['/t', 'ech.bi', 'taxe-1', '\r']) {
      app.stdin.write(read);
      await new Promise((r) => setImmediate(r));
    }
    const frame = await waitForFrame(app.lastFrame, kept, 3000);
    expect(frame).toContain('[2 Miners]');
  });
});
