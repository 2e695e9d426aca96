import { useInput } from 'ink';
import type { Key } from 'ink';
import { useCallback, useEffect, useRef } from 'react';
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
  const renders = useRef(0);
  renders.current += 1;
  // One stable listener for the component's life: ink re-subscribes whenever the callback changes.
  const listener = useCallback(
    (input: string, key: Key) => {
      if (overlay.current) return;
      if (input.length > 1 && !input.includes('\u001B') && !key.ctrl && !key.meta) {
        // Several keys in one read (a paste, tmux send-keys, a slow SSH link): ink hands them over as
        // one string. Replay them one at a time, each after React has rendered what the previous one
        // changed (the ref then holds the new handler): "/rig⏎" opens the filter, types, keeps it.
        const keys = [...input].map((char) => singleKey(char, key));
        const next = () => {
          const one = keys.shift();
          if (!one) return;
          const seen = renders.current;
          ref.current(one[0], one[1]);
          let turns = 0;
          // A key that changes nothing renders nothing: give up waiting after a few turns.
          const wait = () => (renders.current !== seen || ++turns > 20 ? next() : setImmediate(wait));
          setImmediate(wait);
        };
        next();
        return;
      }
      ref.current(input, key);
    },
    [overlay],
  );
  useInput(listener, { isActive: active });
}

const BLANK: Partial<Key> = { return: false, tab: false, backspace: false, delete: false, shift: false };

/** One character of a multi-key read as the key ink would have reported on its own. */
function singleKey(char: string, template: Key): [string, Key] {
  const key: Key = { ...template, ...BLANK };
  if (char === '\r' || char === '\n') return ['', { ...key, return: true }];
  if (char === '\t') return ['', { ...key, tab: true }];
  if (char === '\u007F' || char === '\b') return ['', { ...key, backspace: true }];
  return [char, { ...key, shift: char !== char.toLowerCase() }];
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
