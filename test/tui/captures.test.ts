// Text captures of each screen at 80×24, from the canned farm: docs/screens/*.txt.
// UPDATE_SCREENS=1 rewrites them; otherwise each capture must match the committed file.
process.env.TZ = 'UTC'; // event clocks print local time; captures are in UTC

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { AppProps } from '@farmhand/tui';
import { REPO_ROOT } from '../support/fixtures.js';
import { ContractServer } from './contract-server.js';
import { KEY, press, renderApp, waitForFrame } from './harness.js';

const DIR = resolve(REPO_ROOT, 'docs/screens');
const UPDATE = process.env.UPDATE_SCREENS === '1';

let agent: ContractServer;
beforeAll(async () => {
  agent = await new ContractServer({ miners: 2_500 }).start();
});
afterAll(() => agent.stop());
afterEach(() => cleanup());

interface Capture {
  name: string;
  props: Partial<AppProps>;
  keys?: string[];
  ready: (frame: string) => boolean;
}

const CAPTURES: Capture[] = [
  { name: 'farm', props: { initialScreen: 'farm' }, ready: (f) => f.includes('last 3 h') },
  {
    name: 'farm-ascii',
    props: { initialScreen: 'farm', ascii: true },
    ready: (f) => f.includes('last 3 h'),
  },
  { name: 'miners', props: { initialScreen: 'miners' }, ready: (f) => /2,500 miners.*page 1\//.test(f) },
  {
    name: 'miner-detail',
    props: { initialScreen: 'miners' },
    keys: ['j', KEY.enter],
    ready: (f) => f.includes('R restart'),
  },
  {
    name: 'discovery',
    props: { initialScreen: 'discovery' },
    keys: ['A'],
    ready: (f) => f.includes('Apply these changes?'),
  },
  {
    name: 'discovery-serial',
    props: { initialScreen: 'discovery' },
    ready: (f) => f.includes('host compac') && f.includes('10.0.20.14'),
  },
  { name: 'upstreams', props: { initialScreen: 'upstreams' }, ready: (f) => f.includes('Replay') },
  { name: 'log', props: { initialScreen: 'log' }, ready: (f) => f.includes('6 events') },
  { name: 'help', props: { initialScreen: 'farm' }, keys: ['?'], ready: (f) => f.includes('Keys') },
];

async function capture(c: Capture): Promise<string> {
  const app = renderApp(agent.url, { columns: 80, rows: 24, ...c.props });
  if (c.keys) {
    await waitForFrame(app.lastFrame, (f) => !f.includes('loading') && !f.includes('connecting'));
    await press(app.stdin, ...c.keys);
  }
  const frame = await waitForFrame(app.lastFrame, (f) => c.ready(f) && !f.includes('loading'));
  return (
    frame
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:8080')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n') + '\n'
  );
}

describe('screen captures at 80×24', () => {
  for (const c of CAPTURES) {
    it(`${c.name}.txt`, async () => {
      const text = await capture(c);
      const lines = text.trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
      const file = resolve(DIR, `${c.name}.txt`);
      if (UPDATE || !existsSync(file)) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
