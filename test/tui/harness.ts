// Renders TUI pieces with ink-testing-library and waits for what a technician would see.
import { createElement } from 'react';
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { App, ControlClient } from '@farmhand/tui';
import type { AppProps } from '@farmhand/tui';
import { UiContext } from '../../tui/src/app/ui-context.js';
import type { Ui } from '../../tui/src/app/ui-context.js';
import { KeyBus } from '../../tui/src/components/keys.js';
import { now } from './farm-data.js';

export const KEY = {
  tab: '\t',
  shiftTab: '\u001B[Z',
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  backspace: '\u007F',
};

/** A view inside the UI context, as the app would give it (80×24 unless told). */
export function renderView(element: ReactElement, ui: Partial<Ui> = {}) {
  const context: Ui = {
    client: new ControlClient({ baseUrl: 'http://127.0.0.1:9' }),
    refreshMs: 1000,
    ascii: false,
    now,
    width: 80,
    height: 21,
    capture: { current: false },
    keys: new KeyBus(),
    memory: new Map(),
    ...ui,
  };
  return render(createElement(UiContext.Provider, { value: context }, element));
}

export function renderApp(baseUrl: string, props: Partial<AppProps> = {}, token?: string) {
  const client = new ControlClient({ baseUrl, timeoutMs: 1000, token });
  return render(
    createElement(App, { client, refreshMs: 200, ascii: false, columns: 80, rows: 24, now, ...props }),
  );
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '');
}

/** Waits until the last frame satisfies `test`; fails with the frame it last saw. */
export async function waitForFrame(
  lastFrame: () => string | undefined,
  test: (frame: string) => boolean,
  timeoutMs = 5000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let frame = '';
  while (Date.now() < deadline) {
    frame = stripAnsi(lastFrame() ?? '');
    if (test(frame)) return frame;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`screen never matched; last frame:\n${frame}`);
}

/** Writes keys one at a time, letting ink handle each before the next. */
export async function press(stdin: { write: (data: string) => void }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key);
    await new Promise((r) => setTimeout(r, 30));
  }
}
