// AxeOS GET /api/system/info: hashRate in GH/s, one board, a primary and a fallback pool
// (stratumURL is a bare host; the port is its own field).
import {
  num,
  plausibleTemp,
  round,
  str,
  type PoolStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

export function axeosStatus(replies: ReplySet): StatusReading {
  const info = replies['GET /api/system/info'];
  const rate = num(info, 'hashRate', 'hashRate_1m');
  const hashrateThs = rate === null ? null : round(rate / 1000, 6);
  const temp = plausibleTemp(num(info, 'temp'));
  const chips = num(info, 'asicCount');
  const usingFallback = num(info, 'isUsingFallbackStratum') === 1;
  const pools: PoolStatus[] = [];
  const host = str(info, 'stratumURL');
  if (host)
    pools.push({
      url: stratumUrl(host, num(info, 'stratumPort')),
      user: str(info, 'stratumUser') ?? '',
      status: usingFallback ? 'Standby' : 'Active',
      priority: 0,
    });
  const fb = str(info, 'fallbackStratumURL');
  if (fb)
    pools.push({
      url: stratumUrl(fb, num(info, 'fallbackStratumPort')),
      user: str(info, 'fallbackStratumUser') ?? '',
      status: usingFallback ? 'Active' : 'Standby',
      priority: 1,
    });
  const fans = [num(info, 'fanrpm'), num(info, 'fan2rpm')].filter((f): f is number => f !== null && f > 0);
  const power = num(info, 'power');
  return {
    hashrateThs,
    boards: [
      {
        index: 0,
        ...(hashrateThs !== null ? { hashrateThs } : {}),
        ...(temp !== undefined ? { tempC: temp } : {}),
        ...(chips !== null ? { chips } : {}),
      },
    ],
    fans,
    pools,
    uptimeS: num(info, 'uptimeSeconds'),
    ...(power !== null ? { powerW: round(power, 2) } : {}),
  };
}

function stratumUrl(host: string, port: number | null): string {
  const withScheme = /^[a-z+]+:\/\//.test(host) ? host : `stratum+tcp://${host}`;
  return port !== null && !/:\d+$/.test(withScheme) ? `${withScheme}:${port}` : withScheme;
}
