// Stock Antminer web CGI (lighttpd, Digest auth): system info, miner configuration, pool change.
import { fail, ok, type Result } from '@farmhand/core';
import { parseCgminerReply, type JsonObject } from './cgminer-reply.js';
import type { Endpoint } from './cgminer-client.js';
import { httpCall, type HttpErrorCode } from './http-client.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export type AntminerWebError =
  HttpErrorCode | 'UNAUTHORIZED' | 'HTTP_STATUS' | 'UNREADABLE_BODY' | 'REJECTED';

export interface PoolTarget {
  readonly url: string;
  readonly user: string;
  readonly pass: string;
}

async function getJson(
  to: Endpoint,
  path: string,
  creds: Credentials,
  timeoutMs?: number,
): Promise<Result<JsonObject, AntminerWebError>> {
  const r = await httpCall(to, { method: 'GET', path, digest: creds, ...(timeoutMs ? { timeoutMs } : {}) });
  if (!r.ok) return r;
  if (r.value.status === 401)
    return fail('UNAUTHORIZED', `${to.host}: the web login was refused (check the Antminer credentials)`);
  if (r.value.status !== 200)
    return fail('HTTP_STATUS', `${to.host}: GET ${path} answered ${r.value.status}`);
  // get_miner_conf.cgi has `"key" : ,` and leading blank lines on some firmware: the tolerant parser reads it.
  const body = parseCgminerReply(r.value.body);
  if (!body.ok || body.value.form === 'plain')
    return fail('UNREADABLE_BODY', `${to.host}: GET ${path} did not return JSON`);
  return ok(body.value.data);
}

export function getSystemInfo(
  to: Endpoint,
  creds: Credentials,
  timeoutMs?: number,
): Promise<Result<JsonObject, AntminerWebError>> {
  return getJson(to, '/cgi-bin/get_system_info.cgi', creds, timeoutMs);
}

export function getMinerConf(
  to: Endpoint,
  creds: Credentials,
  timeoutMs?: number,
): Promise<Result<JsonObject, AntminerWebError>> {
  return getJson(to, '/cgi-bin/get_miner_conf.cgi', creds, timeoutMs);
}

/**
 * Re-points the miner's three pool slots, keeping every other setting it reported. Newer firmware
 * (S19 and later: the conf has `bitmain-work-mode` or `miner-mode`) takes JSON; older takes the
 * `_ant_*` form. bmminer restarts to apply.
 */
export async function setPools(
  to: Endpoint,
  creds: Credentials,
  pools: readonly PoolTarget[],
  timeoutMs?: number,
): Promise<Result<'applied', AntminerWebError>> {
  const conf = await getMinerConf(to, creds, timeoutMs);
  if (!conf.ok) return conf;
  const slots = [0, 1, 2].map((i) => pools[i] ?? { url: '', user: '', pass: '' });
  const c = conf.value;
  const json = 'bitmain-work-mode' in c || 'miner-mode' in c;
  let body: string;
  let contentType: string;
  if (json) {
    const out: JsonObject = {
      'bitmain-fan-ctrl': c['bitmain-fan-ctrl'] ?? false,
      'bitmain-fan-pwm': c['bitmain-fan-pwm'] ?? '100',
      'freq-level': c['bitmain-freq-level'] ?? '100',
      'miner-mode': Number(c['bitmain-work-mode'] ?? c['miner-mode'] ?? 0) || 0,
      pools: slots,
    };
    body = JSON.stringify(out);
    contentType = 'application/json';
  } else {
    const form = new URLSearchParams();
    slots.forEach((p, i) => {
      form.set(`_ant_pool${i + 1}url`, p.url);
      form.set(`_ant_pool${i + 1}user`, p.user);
      form.set(`_ant_pool${i + 1}pw`, p.pass);
    });
    form.set('_ant_nobeeper', String(c['bitmain-nobeeper'] ?? false));
    form.set('_ant_notempoverctrl', String(c['bitmain-notempoverctrl'] ?? false));
    form.set('_ant_fan_customize_switch', String(c['bitmain-fan-ctrl'] ?? false));
    form.set('_ant_fan_customize_value', String(c['bitmain-fan-pwm'] ?? ''));
    form.set('_ant_freq', String(c['bitmain-freq'] ?? ''));
    body = form.toString();
    contentType = 'application/x-www-form-urlencoded';
  }
  const r = await httpCall(to, {
    method: 'POST',
    path: '/cgi-bin/set_miner_conf.cgi',
    headers: { 'Content-Type': contentType },
    body,
    digest: creds,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  if (!r.ok) return r;
  if (r.value.status === 401)
    return fail('UNAUTHORIZED', `${to.host}: the web login was refused (check the Antminer credentials)`);
  if (r.value.status !== 200)
    return fail('HTTP_STATUS', `${to.host}: set_miner_conf.cgi answered ${r.value.status}`);
  const reply = parseCgminerReply(r.value.body);
  // Old firmware answers the plain text `ok`; newer JSON {"stats":"success",...}.
  if (reply.ok && reply.value.form === 'plain' && reply.value.text !== 'ok')
    return fail('REJECTED', `${to.host}: set_miner_conf.cgi answered "${reply.value.text}"`);
  if (reply.ok && reply.value.form === 'json' && reply.value.data.stats === 'error')
    return fail('REJECTED', `${to.host}: set_miner_conf.cgi refused: ${String(reply.value.data.msg ?? '')}`);
  return ok('applied');
}
