// The seed's Redis key layout (see docs/redis-format.md). Existing dashboards read these names, so
// they are built in one place and nowhere else.

export type MiningKind = 's' | 'p' | 'g';

/** `<coin>:<s|p|g>:<user>[:<worker>][:reject]` */
export function miningKey(
  coin: string,
  kind: MiningKind,
  user: string,
  worker?: string,
  reject = false,
): string {
  let key = `${coin}:${kind}:${user}`;
  if (worker !== undefined) key += `:${worker}`;
  if (reject) key += ':reject';
  return key;
}

/** `<coin>:m:<key>`: the whole pool's counter. */
export function monitorKey(coin: string, key: string): string {
  return `${coin}:m:${key}`;
}

/** `<coin>:mh:<host>:<key>`: one host's counter. */
export function monitorHostKey(coin: string, host: string, key: string): string {
  return `${coin}:mh:${host}:${key}`;
}

/** `<coin>:mk:<key>`: the set of hosts that reported a counter. */
export function monitorHostsKey(coin: string, key: string): string {
  return `${coin}:mk:${key}`;
}

export const MONITOR_KEYS = 'monitor:keys';
export const MINING_KEYS = 'mining:keys';
export const NEWBLOCK_LIST = 'newblock';
export const NEWEVENT_LIST = 'newevent';
export const NEWWORKER_LIST = 'newworker';
export const ALERT_LIST = 'alert:message';

/**
 * A float the way the seed wrote it (C's `%.16g`): at most 16 significant digits, no trailing zeros.
 * Redis parses the plain and the exponent forms alike.
 */
export function formatFloat(x: number): string {
  if (x === 0) return '0';
  return String(Number(x.toPrecision(16)));
}
