// Writing to a miner: its pool list and a restart, by the way its firmware profile names (changePools).
// Each make's call lives in its driver; this picks the driver and the credentials (config over the
// profile's documented defaults). Never throws.
import { fail, ok, type Result } from '@farmhand/core';
import { setPools as antminerSetPools } from './antminer-web.js';
import { setPools as axeosSetPools, splitStratumUrl } from './axeos-client.js';
import { cgminerCommand, type Endpoint } from './cgminer-client.js';
import type { FirmwareProfile } from './firmware-profile.js';
import type { PortMap } from './host-probe.js';
import { httpCall } from './http-client.js';
import { addAndSwitchPool, sessionCommand, withSession } from './luxos-session.js';
import { updatePools, writeCommand } from './whatsminer-client.js';

export interface PoolTarget {
  readonly url: string;
  readonly user: string;
  readonly password: string;
}

export interface DeviceControlOptions {
  readonly portMap?: PortMap;
  /** By profile id or make; wins over the profile's defaultCredentials. */
  readonly credentials?: Readonly<Record<string, { user: string; password: string }>>;
  readonly timeoutMs?: number;
}

export type DeviceControlError = 'UNSUPPORTED' | 'DEVICE_REFUSED';

function endpoint(host: string, profile: FirmwareProfile, transport: string, o: DeviceControlOptions) {
  const spec = profile.ports.find((p) => p.transport === transport);
  if (!spec) return null;
  return { host, port: o.portMap?.[spec.port] ?? spec.port } satisfies Endpoint;
}

export function credentialsFor(
  profile: FirmwareProfile,
  o: DeviceControlOptions,
): { user: string; password: string } | null {
  return (
    o.credentials?.[profile.id] ?? o.credentials?.[profile.make] ?? profile.changePools.defaultCredentials
  );
}

function refused(e: { code: string; message: string }): Result<never, DeviceControlError> {
  return fail('DEVICE_REFUSED', `${e.message} (${e.code})`);
}

function unsupported(profile: FirmwareProfile, what: string): Result<never, DeviceControlError> {
  return fail(
    'UNSUPPORTED',
    `${profile.title}: ${what} is not implemented in farmhand yet (${profile.changePools.method}); change it on the device's web page`,
  );
}

/**
 * Sets the device's pool list, first = highest priority. Devices with fewer slots keep the first ones
 * (AxeOS: primary and fallback; cgminer-style firmwares: three).
 */
export async function changePools(
  host: string,
  profile: FirmwareProfile,
  pools: readonly PoolTarget[],
  o: DeviceControlOptions = {},
): Promise<Result<'applied', DeviceControlError>> {
  const creds = credentialsFor(profile, o);
  const t = o.timeoutMs ?? 8000;
  const first = pools[0];
  if (!first) return fail('DEVICE_REFUSED', `${host}: no pool to set`);
  switch (profile.changePools.method) {
    case 'http-post': {
      // Antminer stock and Hiveon: the web CGI with digest auth.
      const to = endpoint(host, profile, 'http', o);
      if (!to || !creds) return unsupported(profile, 'the pool change');
      const r = await antminerSetPools(
        to,
        creds,
        pools.slice(0, 3).map((p) => ({ url: p.url, user: p.user, pass: p.password })),
        t,
      );
      return r.ok ? ok('applied') : refused(r.error);
    }
    case 'http-rest': {
      if (profile.status.normalizer !== 'axeos') return unsupported(profile, 'the pool change');
      const to = endpoint(host, profile, 'http', o);
      if (!to) return unsupported(profile, 'the pool change');
      const main = splitStratumUrl(first.url);
      const back = pools[1] ? splitStratumUrl(pools[1].url) : null;
      const r = await axeosSetPools(
        to,
        {
          stratumURL: main.host,
          stratumPort: main.port ?? 3333,
          stratumUser: first.user,
          stratumPassword: first.password,
          ...(back && pools[1]
            ? {
                fallbackStratumURL: back.host,
                fallbackStratumPort: back.port ?? 3333,
                fallbackStratumUser: pools[1].user,
                fallbackStratumPassword: pools[1].password,
              }
            : {}),
        },
        true,
        t,
      );
      return r.ok ? ok('applied') : refused(r.error);
    }
    case 'cgminer-plain-command': {
      // Avalon: ascset setpool per slot (needs the web login), then a reboot applies them.
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to || !creds) return unsupported(profile, 'the pool change');
      const slots = pools.slice(0, 3);
      // Backups first, the new primary last: if a write fails midway the miner's primary is untouched.
      for (let i = slots.length - 1; i >= 0; i--) {
        const p = slots[i] as PoolTarget;
        const param = ['0', 'setpool', creds.user, creds.password, String(i), p.url, p.user, p.password];
        const r = await cgminerCommand(to, 'ascset', { parameter: param.join(','), timeoutMs: t });
        if (!r.ok) return refused(r.error);
        const text = r.value.form === 'plain' ? r.value.text : (r.value.status?.msg ?? '');
        if (!/success/i.test(text))
          return fail('DEVICE_REFUSED', `${host}: ascset setpool ${i} answered "${text.slice(0, 120)}"`);
      }
      return restartDevice(host, profile, o);
    }
    case 'cgminer-session-command': {
      // LuxOS: add the new pool and switch to it; the old ones stay behind it.
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to) return unsupported(profile, 'the pool change');
      const r = await addAndSwitchPool(to, first.url, first.user, first.password, { timeoutMs: t });
      return r.ok ? ok('applied') : refused(r.error);
    }
    case 'cgminer-encrypted-command': {
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to || !creds) return unsupported(profile, 'the pool change');
      const r = await updatePools(
        to,
        creds.password,
        pools.slice(0, 3).map((p) => ({ url: p.url, worker: p.user, passwd: p.password })),
        { timeoutMs: t },
      );
      return r.ok ? ok('applied') : refused(r.error);
    }
    default:
      return unsupported(profile, 'the pool change');
  }
}

/** Restarts mining (or the device) through its API. */
export async function restartDevice(
  host: string,
  profile: FirmwareProfile,
  o: DeviceControlOptions = {},
): Promise<Result<'applied', DeviceControlError>> {
  const creds = credentialsFor(profile, o);
  const t = o.timeoutMs ?? 8000;
  const answered = (status: number, what: string): Result<'applied', DeviceControlError> =>
    status >= 200 && status < 300
      ? ok('applied')
      : fail('DEVICE_REFUSED', `${host}: ${what} answered HTTP ${status}`);
  switch (profile.changePools.method) {
    case 'http-rest': {
      if (profile.status.normalizer !== 'axeos') return unsupported(profile, 'a restart');
      const to = endpoint(host, profile, 'http', o);
      if (!to) return unsupported(profile, 'a restart');
      const r = await httpCall(to, { method: 'POST', path: '/api/system/restart', timeoutMs: t });
      return r.ok ? answered(r.value.status, 'POST /api/system/restart') : refused(r.error);
    }
    case 'http-post': {
      const to = endpoint(host, profile, 'http', o);
      if (!to || !creds) return unsupported(profile, 'a restart');
      const r = await httpCall(to, {
        method: 'GET',
        path: '/cgi-bin/reboot.cgi',
        digest: creds,
        timeoutMs: t,
      });
      return r.ok ? answered(r.value.status, 'GET /cgi-bin/reboot.cgi') : refused(r.error);
    }
    case 'cgminer-plain-command': {
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to) return unsupported(profile, 'a restart');
      const r = await cgminerCommand(to, 'ascset', { parameter: '0,reboot,0', timeoutMs: t });
      if (!r.ok) return refused(r.error);
      const text = r.value.form === 'plain' ? r.value.text : (r.value.status?.msg ?? '');
      return /reboot/i.test(text)
        ? ok('applied')
        : fail('DEVICE_REFUSED', `${host}: ascset reboot answered "${text.slice(0, 120)}"`);
    }
    case 'cgminer-session-command': {
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to) return unsupported(profile, 'a restart');
      const r = await withSession(to, (s) => sessionCommand(to, s, 'resetminer', [], { timeoutMs: t }), {
        timeoutMs: t,
      });
      return r.ok ? ok('applied') : refused(r.error);
    }
    case 'cgminer-encrypted-command': {
      const to = endpoint(host, profile, 'cgminer-tcp', o);
      if (!to || !creds) return unsupported(profile, 'a restart');
      const r = await writeCommand(to, creds.password, { cmd: 'restart_btminer' }, { timeoutMs: t });
      return r.ok ? ok('applied') : refused(r.error);
    }
    default:
      return unsupported(profile, 'a restart');
  }
}
