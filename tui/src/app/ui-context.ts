import { createContext, useContext } from 'react';
import type { RefObject } from 'react';
import type { ControlClient } from '../api/control-client.js';
import type { KeyBus } from '../components/keys.js';

export interface Ui {
  client: ControlClient;
  refreshMs: number;
  /** ASCII glyphs only, no colour: for NO_COLOR, --ascii and dumb terminals. */
  ascii: boolean;
  now: () => number;
  /** Cells available to the screen body. */
  width: number;
  height: number;
  /** True while a text field or dialog owns the keyboard, so global keys (q, 1–5, tab) type. */
  capture: RefObject<boolean>;
  /** Where screens register their key handlers (see useKeys). */
  keys: KeyBus;
  /** Screen state kept across tab switches (see useRemembered). */
  memory: Map<string, unknown>;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside <App>'); // programmer error
  return ui;
}
