// The terminal UI. It reads and commands the agent only through the control API (docs/control-api.md).
export const TUI_VERSION = '0.1.0';
