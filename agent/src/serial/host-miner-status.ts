import { cgminerCommand } from '../fleet/cgminer-client.js';
import { toNumber } from '../fleet/cgminer-reply.js';

// A supervised host miner's own view, from its cgminer API on loopback: hash rate, shares, hardware
// errors. The agent also sees its shares through the stratum port; this adds what only the miner knows.

export interface HostMinerApi {
  readonly at: number;
  readonly ok: boolean;
  readonly mhsAverage?: number;
  readonly accepted?: number;
  readonly rejected?: number;
  readonly hardwareErrors?: number;
  readonly error?: string;
}

export async function readHostMinerApi(apiPort: number, timeoutMs = 2000): Promise<HostMinerApi> {
  const r = await cgminerCommand({ host: '127.0.0.1', port: apiPort }, 'summary', { timeoutMs });
  const at = Date.now();
  if (!r.ok) return { at, ok: false, error: r.error.message };
  if (r.value.form === 'plain') return { at, ok: false, error: 'summary answered in plain text' };
  const section = r.value.data['SUMMARY'];
  const s = (Array.isArray(section) ? section[0] : section) as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') return { at, ok: false, error: 'no SUMMARY section in the reply' };
  const num = (k: string) => {
    const v = toNumber(s[k]);
    return v === null ? {} : { [k]: v };
  };
  const n = { ...num('MHS av'), ...num('Accepted'), ...num('Rejected'), ...num('Hardware Errors') };
  return {
    at,
    ok: true,
    ...(n['MHS av'] !== undefined ? { mhsAverage: n['MHS av'] } : {}),
    ...(n['Accepted'] !== undefined ? { accepted: n['Accepted'] } : {}),
    ...(n['Rejected'] !== undefined ? { rejected: n['Rejected'] } : {}),
    ...(n['Hardware Errors'] !== undefined ? { hardwareErrors: n['Hardware Errors'] } : {}),
  };
}
