// LuxOS write commands need a session: `logon` gives a SessionID that every write command takes as its
// first parameter; `logoff` ends it. Only one session may be open at a time.
import { fail, ok, type Result } from '@farmhand/core';
import {
  cgminerCommand,
  type CgminerErrorCode,
  type Endpoint,
  type ExchangeOptions,
} from './cgminer-client.js';
import type { CgminerReply, JsonObject } from './cgminer-reply.js';
import { section } from './miner-status.js';

export type LuxosError = CgminerErrorCode | 'LOGON_REFUSED' | 'COMMAND_FAILED';

export async function logon(to: Endpoint, opts: ExchangeOptions = {}): Promise<Result<string, LuxosError>> {
  const r = await cgminerCommand(to, 'logon', opts);
  if (!r.ok) return r;
  const id = r.value.form === 'plain' ? undefined : section(r.value.data, 'SESSION')[0]?.SessionID;
  if (typeof id !== 'string' || id === '')
    return fail(
      'LOGON_REFUSED',
      `${to.host}: logon refused: ${r.value.form === 'plain' ? r.value.text : (r.value.status?.msg ?? 'no SessionID')}`,
    );
  return ok(id);
}

function failed(r: CgminerReply): string | null {
  if (r.form === 'plain') return r.text;
  const s = r.status?.status;
  return s === 'E' || s === 'F' ? (r.status?.msg ?? 'error') : null;
}

/** Runs `command` with the session id prepended to its parameters. */
export async function sessionCommand(
  to: Endpoint,
  session: string,
  command: string,
  params: readonly string[],
  opts: ExchangeOptions = {},
): Promise<Result<JsonObject, LuxosError>> {
  const r = await cgminerCommand(to, command, { ...opts, parameter: [session, ...params].join(',') });
  if (!r.ok) return r;
  const why = failed(r.value);
  if (why !== null || r.value.form === 'plain')
    return fail('COMMAND_FAILED', `${to.host}: ${command} failed: ${why}`);
  return ok(r.value.data);
}

/** logon, run the commands in order, logoff (also after a failure). */
export async function withSession<T>(
  to: Endpoint,
  work: (session: string) => Promise<Result<T, LuxosError>>,
  opts: ExchangeOptions = {},
): Promise<Result<T, LuxosError>> {
  const s = await logon(to, opts);
  if (!s.ok) return s;
  try {
    return await work(s.value);
  } finally {
    await cgminerCommand(to, 'logoff', { ...opts, parameter: s.value });
  }
}

/** Adds the pool, switches to it (it becomes priority 0); old pools stay as backups. */
export function addAndSwitchPool(
  to: Endpoint,
  url: string,
  user: string,
  pass: string,
  opts: ExchangeOptions = {},
): Promise<Result<number, LuxosError>> {
  return withSession(
    to,
    async (session) => {
      const before = await cgminerCommand(to, 'pools', opts);
      const count =
        before.ok && before.value.form !== 'plain' ? section(before.value.data, 'POOLS').length : 0;
      const add = await sessionCommand(to, session, 'addpool', [url, user, pass], opts);
      if (!add.ok) return add;
      const sw = await sessionCommand(to, session, 'switchpool', [String(count)], opts);
      if (!sw.ok) return sw;
      return ok(count);
    },
    opts,
  );
}
