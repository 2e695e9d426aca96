// The terminal UI. It reads and commands the agent only through the control API (docs/control-api.md).
export const TUI_VERSION = '0.1.0';
export { runTui, DEFAULT_AGENT_URL, DEFAULT_REFRESH_MS } from './app/run-tui.js';
export type { TuiOptions } from './app/run-tui.js';
export { App } from './app/app.js';
export type { AppProps } from './app/app.js';
export { ControlClient } from './api/control-client.js';
export type { ApiError, ApiErrorCode, ApiResult, ControlClientOptions } from './api/control-client.js';
export type * from './api/types.js';
