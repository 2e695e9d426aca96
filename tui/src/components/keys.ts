import type { Key } from 'ink';
import { useLayoutEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { useUi } from '../app/ui-context.js';

export type KeyHandler = (input: string, key: Key) => void;

/**
 * The one place keys come in. The app listens to ink once and hands each key to every registered
 * screen handler, then to its own global keys. One listener means one order (screen first, app
 * second) and one place to split a multi-key read.
 */
export class KeyBus {
  private readonly handlers = new Set<RefObject<KeyHandler>>();
  /** Bumped by every render of a component that handles keys: "has the screen caught up yet?" */
  readonly renders = { current: 0 };

  add(handler: RefObject<KeyHandler>): () => void {
    this.handlers.add(handler);
    return () => void this.handlers.delete(handler);
  }

  /** Hands one key to the screens (unless `screensOff`), then to `global`. */
  dispatch(input: string, key: Key, screensOff: boolean, global: KeyHandler): void {
    if (!screensOff) for (const handler of [...this.handlers]) handler.current(input, key);
    global(input, key);
  }

  private readonly queue: Array<[string, Key]> = [];
  private draining = false;

  /**
   * Every read from ink comes in here. Several keys in one read (a paste, tmux send-keys, a slow SSH
   * link) are taken apart. All keys then wait in ONE queue and are handed over one at a time, each
   * once React has rendered what the previous one changed — "/rig⏎" opens the filter, types "rig",
   * keeps it; "4je" switches to Upstreams, then moves and acts there. One queue matters: a burst often
   * arrives as several reads ("/te", "ch.bitaxe-", "1"), and a read handled while an earlier one is
   * still being handed over would overtake it — "1" reaching the app before "/" opened the field.
   */
  take(input: string, template: Key, deliver: (input: string, key: Key) => void): void {
    if (isMultiKey(input, template)) this.queue.push(...[...input].map((char) => singleKey(char, template)));
    else this.queue.push([input, template]);
    if (!this.draining) this.drain(deliver);
  }

  private drain(deliver: (input: string, key: Key) => void): void {
    const one = this.queue.shift();
    if (!one) {
      this.draining = false;
      return;
    }
    this.draining = true;
    const seen = this.renders.current;
    deliver(one[0], one[1]);
    let turns = 0;
    // A key that changes nothing renders nothing: stop waiting after a few turns.
    const wait = () =>
      this.renders.current !== seen || ++turns > 20 ? this.drain(deliver) : setImmediate(wait);
    setImmediate(wait);
  }
}

/** True when ink handed over several keys at once that can be taken apart safely. */
export function isMultiKey(input: string, key: Key): boolean {
  return input.length > 1 && !input.includes('\u001B') && !key.ctrl && !key.meta;
}

/**
 * A screen's key handler. It is read from a ref at each key, so it always sees the latest render's
 * state, and registered in a layout effect, so a screen that just appeared gets the very next key.
 */
export function useKeys(handler: KeyHandler): void {
  const { keys } = useUi();
  const ref = useRef(handler);
  ref.current = handler;
  keys.renders.current += 1;
  useLayoutEffect(() => keys.add(ref), [keys]);
}

/**
 * While `captured`, the app's global keys (q, 1–5, tab, ?) are off: a field or dialog owns the keyboard.
 * Written during render, not in an effect, so the very next key already sees it.
 */
export function useCapture(captured: boolean): void {
  const { capture } = useUi();
  capture.current = captured;
  useLayoutEffect(() => () => void (capture.current = false), [capture]);
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
