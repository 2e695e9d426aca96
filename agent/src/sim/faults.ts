// Faults a technician meets in the field, on demand. One-shot faults act once; the others hold
// until cleared with { kind: 'none' }.

export type Fault =
  | { readonly kind: 'none' }
  /** Drop the Stratum connection now; the miner reconnects with back-off. One-shot. */
  | { readonly kind: 'disconnect' }
  /** Stop reading from the pool and stop submitting, without closing the socket. */
  | { readonly kind: 'stall' }
  /** Send lines that are not JSON-RPC on the Stratum connection. */
  | { readonly kind: 'garbage' }
  /** Submit shares for a job the pool has retired (or never issued): error 21. */
  | { readonly kind: 'stale-shares' }
  /** Submit every found share twice: the second is refused with error 22. */
  | { readonly kind: 'duplicate-shares' }
  /** Submit shares whose hash misses the target: error 23. */
  | { readonly kind: 'low-difficulty-shares' }
  /** Device APIs answer after delayMs. */
  | { readonly kind: 'slow-api'; readonly delayMs: number }
  /** Everything goes away (Stratum, APIs) and comes back after downMs. One-shot. */
  | { readonly kind: 'reboot'; readonly downMs: number };

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'none',
  'disconnect',
  'stall',
  'garbage',
  'stale-shares',
  'duplicate-shares',
  'low-difficulty-shares',
  'slow-api',
  'reboot',
];

/** A garbage line as broken firmware or a bad link produces: not JSON, or JSON that is not RPC. */
export function garbageLine(n: number): string {
  const lines = ['\u0000\u0001binary noise\u00ff', '{"id":', 'GET / HTTP/1.1', '[1,2,3]', 'null', '}{'];
  return `${lines[n % lines.length]!}\n`;
}
