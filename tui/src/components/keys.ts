import { useInput } from 'ink';
import type { Key } from 'ink';
import { useEffect, useRef } from 'react';
import { useUi } from '../app/ui-context.js';

export type KeyHandler = (input: string, key: Key) => void;

/**
 * useInput with the handler read from a ref. Ink re-subscribes a changed handler in a passive effect,
 * so keys typed faster than that (a paste, a quick "/rig") would reach a handler holding the previous
 * render's state; through the ref every key sees the latest render. Keep `active` steady and test
 * modes inside the handler: a change of `active` also waits for the effect.
 */
export function useKeys(handler: KeyHandler, active = true): void {
  const { overlay } = useUi();
  const ref = useRef(handler);
  ref.current = handler;
  useInput(
    (input, key) => {
      if (!overlay.current) ref.current(input, key);
    },
    { isActive: active },
  );
}

/**
 * While `captured`, the app's global keys (q, 1–5, tab, ?) are off: a field or dialog owns the keyboard.
 * Written during render, not in an effect, so the very next key already sees it.
 */
export function useCapture(captured: boolean): void {
  const { capture } = useUi();
  capture.current = captured;
  useEffect(() => () => void (capture.current = false), [capture]);
}
