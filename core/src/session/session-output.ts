import type { ShareVerdict } from '../share/index.js';

// What a MinerSession hands back for every input: the lines to write, in order, and what happened.

/** A share the validator judged, with the credited name and the submitted fields. */
export interface SessionShare {
  readonly account: string;
  readonly worker: string;
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
  readonly verdict: ShareVerdict;
  /** Credited difficulty when accepted; the session's difficulty when rejected. */
  readonly difficulty: number;
  readonly at: number;
}

export type SessionEvent =
  | { readonly type: 'subscribed'; readonly userAgent?: string }
  | { readonly type: 'authorized'; readonly user: string; readonly account: string; readonly worker: string }
  | { readonly type: 'share'; readonly share: SessionShare }
  | { readonly type: 'difficulty'; readonly difficulty: number; readonly previous: number }
  /** The connection must be closed once the lines are written. */
  | { readonly type: 'close'; readonly reason: string };

export interface SessionOutput {
  readonly lines: string[];
  readonly events: SessionEvent[];
}

export function emptyOutput(): SessionOutput {
  return { lines: [], events: [] };
}

/** The close reason in an output, if the session asked to be closed. */
export function closeReason(out: SessionOutput): string | undefined {
  for (const e of out.events) if (e.type === 'close') return e.reason;
  return undefined;
}
