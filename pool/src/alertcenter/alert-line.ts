// One alert as it arrives: `<host>: <message>`, optionally behind the seed's 20-character magic
// (so viabtc-era senders work unchanged). Parsed once here; the rest of the alertcenter sees Alert.

/** The prefix viabtc's log_fatal put before every alert line. */
export const SEED_ALERT_MAGIC = '373d26968a5a2b698045';

export interface Alert {
  readonly host: string;
  readonly message: string;
}

/** Parse one line (without its newline). `peer` names the sender when the line has no host part. */
export function parseAlertLine(raw: string, peer: string, maxBytes: number): Alert | undefined {
  let line = raw.startsWith(SEED_ALERT_MAGIC) ? raw.slice(SEED_ALERT_MAGIC.length) : raw;
  line = line.replace(/[\r\n]+$/, '');
  if (line.length > maxBytes) line = line.slice(0, maxBytes);
  if (line.trim() === '') return undefined;
  const sep = line.indexOf(': ');
  const host = sep > 0 ? line.slice(0, sep) : '';
  // A host is one word; anything else means the line had no host prefix.
  if (host === '' || /\s/.test(host) || host.length > 255) return { host: peer, message: line };
  return { host, message: line.slice(sep + 2) };
}

export function formatAlert(a: Alert): string {
  return `${a.host}: ${a.message}`;
}
