import type { ShareVerdict } from '../share/index.js';
import type { RequestId } from '../stratum/index.js';

// What a MinerSession hands back for every input: the lines to write, in order, and what happened.

/** A share the validator judged, with the credited name and the submitted fields. */
export interface SessionShare {
  /** The submit's JSON-RPC id, for a server that must rewrite the reply (share store failure). */
  readonly requestId: RequestId | null;
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
  | { readonly type: 'close'; readonly code: SessionCloseCode; readonly reason: string };

/** Why a session asks to be closed: stable strings (metric labels). */
export type SessionCloseCode = 'invalid-shares' | 'extranonce-changed';

export interface SessionOutput {
  readonly lines: string[];
  readonly events: SessionEvent[];
}

export function emptyOutput(): SessionOutput {
  return { lines: [], events: [] };
}

/** The close reason in an output, if the session asked to be closed. */
export function closeReason(out: SessionOutput): string | undefined {
  return closeEvent(out)?.reason;
}

export function closeEvent(
  out: SessionOutput,
): { readonly code: SessionCloseCode; readonly reason: string } | undefined {
  for (const e of out.events) if (e.type === 'close') return e;
  return undefined;
}
