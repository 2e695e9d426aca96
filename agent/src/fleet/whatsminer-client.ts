// Whatsminer btminer v1/v2 write commands: get_token, then one AES-encrypted command per token.
import { fail, ok, type Result } from '@farmhand/core';
import type { JsonObject } from './cgminer-reply.js';
import {
  cgminerCommand,
  cgminerSend,
  type CgminerErrorCode,
  type Endpoint,
  type ExchangeOptions,
} from './cgminer-client.js';
import {
  decryptPayload,
  encryptCommand,
  whatsminerSession,
  type WhatsminerToken,
} from './whatsminer-crypto.js';

export type WhatsminerWriteError =
  CgminerErrorCode | 'TOKEN_REFUSED' | 'WRITE_API_DISABLED' | 'UNDECRYPTABLE_REPLY' | 'COMMAND_FAILED';

export async function getToken(
  to: Endpoint,
  opts: ExchangeOptions = {},
): Promise<Result<WhatsminerToken, WhatsminerWriteError>> {
  const r = await cgminerCommand(to, 'get_token', { ...opts, key: 'cmd' });
  if (!r.ok) return r;
  if (r.value.form === 'plain')
    return fail('TOKEN_REFUSED', `${to.host}: get_token answered "${r.value.text}"`);
  const msg = r.value.data.Msg;
  if (msg === null || typeof msg !== 'object')
    return fail('TOKEN_REFUSED', `${to.host}: get_token refused: ${String(msg)}`);
  const m = msg as JsonObject;
  if (typeof m.time !== 'string' || typeof m.salt !== 'string' || typeof m.newsalt !== 'string')
    return fail('TOKEN_REFUSED', `${to.host}: get_token reply lacks time/salt/newsalt`);
  return ok({ time: m.time, salt: m.salt, newsalt: m.newsalt });
}

/** Runs one privileged command; the decrypted reply's STATUS must be S. */
export async function writeCommand(
  to: Endpoint,
  password: string,
  command: Record<string, unknown>,
  opts: ExchangeOptions = {},
): Promise<Result<JsonObject, WhatsminerWriteError>> {
  const token = await getToken(to, opts);
  if (!token.ok) return token;
  const session = whatsminerSession(password, token.value);
  const r = await cgminerSend(to, encryptCommand(session, command), opts);
  if (!r.ok) return r;
  if (r.value.form === 'plain') return fail('COMMAND_FAILED', `${to.host}: answered "${r.value.text}"`);
  const d = r.value.data;
  if (typeof d.enc !== 'string') {
    // Errors come back in clear (e.g. write API off, wrong password: STATUS E with a Msg).
    const msg = r.value.status?.msg ?? JSON.stringify(d);
    return fail(
      /write cmd|api|permission|disabled/i.test(msg) ? 'WRITE_API_DISABLED' : 'COMMAND_FAILED',
      `${to.host}: ${String(command.cmd)} refused: ${msg}`,
    );
  }
  const plain = decryptPayload(session, d.enc);
  if (plain === null)
    return fail('UNDECRYPTABLE_REPLY', `${to.host}: the encrypted reply did not decrypt (wrong password?)`);
  let reply: JsonObject;
  try {
    reply = JSON.parse(plain) as JsonObject;
  } catch {
    return fail(
      'UNDECRYPTABLE_REPLY',
      `${to.host}: the encrypted reply did not decrypt to JSON (wrong password?)`,
    );
  }
  if (reply.STATUS !== 'S') {
    const msg = String(reply.Msg ?? JSON.stringify(reply));
    // "can't access write cmd": the write API is off in WhatsMinerTool.
    return fail(
      /write cmd|api/i.test(msg) ? 'WRITE_API_DISABLED' : 'COMMAND_FAILED',
      `${to.host}: ${String(command.cmd)} failed: ${msg}`,
    );
  }
  return ok(reply);
}

export interface WhatsminerPool {
  readonly url: string;
  readonly worker: string;
  readonly passwd: string;
}

export function updatePools(
  to: Endpoint,
  password: string,
  pools: readonly WhatsminerPool[],
  opts: ExchangeOptions = {},
): Promise<Result<JsonObject, WhatsminerWriteError>> {
  const cmd: Record<string, unknown> = { cmd: 'update_pools' };
  for (let i = 0; i < 3; i++) {
    const p = pools[i];
    cmd[`pool${i + 1}`] = p?.url ?? '';
    cmd[`worker${i + 1}`] = p?.worker ?? '';
    cmd[`passwd${i + 1}`] = p?.passwd ?? '';
  }
  return writeCommand(to, password, cmd, opts);
}
