import { render } from 'ink';
import { App } from './app.js';
import { ControlClient } from '../api/control-client.js';

export interface TuiOptions {
  agentUrl?: string;
  token?: string;
  refreshMs?: number;
  ascii?: boolean;
}

export const DEFAULT_AGENT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_REFRESH_MS = 2000;

/** A sane refresh interval: a typo ("2s") or 0 must not turn the UI into a request storm. */
export function refreshInterval(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_REFRESH_MS;
  return Math.max(MIN_REFRESH_MS, Math.round(ms));
}

export const MIN_REFRESH_MS = 250;

/** Starts the terminal UI and resolves when the technician quits. */
export async function runTui(options: TuiOptions = {}): Promise<void> {
  if (!process.stdin.isTTY) {
    // Keys need a terminal in raw mode; without one ink fails deep inside React.
    process.stderr.write(
      'farmhand tui needs an interactive terminal (stdin is not a TTY); for scripts use the control API\n',
    );
    process.exitCode = 1;
    return;
  }
  const client = new ControlClient({
    baseUrl: options.agentUrl ?? DEFAULT_AGENT_URL,
    token: options.token ?? process.env['FARMHAND_TOKEN'],
  });
  // NO_COLOR (https://no-color.org) also means plain ASCII glyphs: such terminals often lack the block set.
  const ascii = options.ascii ?? Boolean(process.env['NO_COLOR']);
  // The alternate screen keeps the technician's scrollback as it was once the UI quits.
  const fullScreen = process.stdout.isTTY === true;
  if (fullScreen) process.stdout.write('\u001B[?1049h\u001B[H');
  try {
    const instance = render(
      <App client={client} refreshMs={refreshInterval(options.refreshMs)} ascii={ascii} />,
    );
    await instance.waitUntilExit();
  } finally {
    if (fullScreen) process.stdout.write('\u001B[?1049l');
  }
}
