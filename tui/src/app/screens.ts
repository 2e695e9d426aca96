/** The five screens, in tab order; number keys 1–5 pick them directly. */
export const SCREENS = [
  { id: 'farm', title: 'Farm' },
  { id: 'miners', title: 'Miners' },
  { id: 'discovery', title: 'Discovery' },
  { id: 'upstreams', title: 'Upstreams' },
  { id: 'log', title: 'Log' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

export const HELP: { keys: string; what: string }[] = [
  { keys: 'Tab / Shift-Tab, 1-5', what: 'next / previous screen, or jump to one' },
  { keys: '↑↓ or k j', what: 'move the selection' },
  { keys: 'g / G, PgUp / PgDn', what: 'first / last row, a page up / down' },
  { keys: '/', what: 'filter (Enter keeps it, Esc clears it)' },
  { keys: 'Esc', what: 'clear the filter, close a dialog, leave a detail' },
  { keys: 's / r', what: 'Miners: next sort column / reverse the order' },
  { keys: 'Enter', what: 'Miners: open the miner; then R restart, p re-point' },
  { keys: 'a / A / n / S', what: 'Discovery: adopt selected / all of its make, naming, rescan' },
  { keys: 's / e', what: 'Upstreams: switch to selected / enable or disable it' },
  { keys: 'l', what: 'Log: cycle the level (all, error, warn, info)' },
  { keys: '?', what: 'this help (any key closes it)' },
  { keys: 'q', what: 'quit' },
];
