// identify(host) and readMiner(host): identification, then the status requests the profile lists,
// normalized into MinerStatus. One HostProbe per host keeps it to one request at a time.
import { fail, ok, type Result } from '@farmhand/core';
import type { FirmwareProfile } from './firmware-profile.js';
import { HostProbe, type Answer, type HostProbeOptions } from './host-probe.js';
import { identifyWith, routeOf, type IdentifyError, type Identity } from './identify.js';
import type { MinerStatus, ReplySet } from './miner-status.js';
import { normalizeStatus } from './status-normalizer.js';
import type { JsonObject } from './cgminer-reply.js';

export interface ReadOptions extends HostProbeOptions {
  readonly profiles: readonly FirmwareProfile[];
}

export async function identify(host: string, opts: ReadOptions): Promise<Result<Identity, IdentifyError>> {
  try {
    return await identifyWith(new HostProbe(host, opts), opts.profiles);
  } catch (e) {
    return fail('NOT_A_MINER', `${host}: probing failed: ${(e as Error).message}`);
  }
}

export interface MinerReading extends MinerStatus {
  readonly ip: string;
  readonly profileId: string;
  /** Requests sent to this host, identification and status together. */
  readonly requests: number;
  /** Where a reply already read carried them (Antminer system info, AxeOS info, Whatsminer summary). */
  readonly mac: string | null;
  readonly serial: string | null;
}

const MAC_FIELDS = ['macaddr', 'macAddr', 'MAC', 'mac'];
const SERIAL_FIELDS = ['serinum', 'SerialNo', 'serial', 'serialNumber', 'Serial Number', 'minerSN'];
const MAC_RE = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;

/** First value under one of `keys` anywhere in the reply (top level or one section deep). */
function findField(data: JsonObject | null, keys: readonly string[]): string | null {
  if (!data) return null;
  const look = (o: JsonObject): string | null => {
    for (const k of keys) {
      const v = o[k];
      if (typeof v === 'string' && v.trim() !== '') return v.trim();
    }
    return null;
  };
  const top = look(data);
  if (top) return top;
  for (const v of Object.values(data)) {
    const list = Array.isArray(v) ? v : [v];
    for (const e of list)
      if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
        const x = look(e as JsonObject);
        if (x) return x;
      }
  }
  return null;
}

function facts(answers: readonly Answer[]): { mac: string | null; serial: string | null } {
  let mac: string | null = null;
  let serial: string | null = null;
  for (const a of answers) {
    const data =
      a.kind === 'cgminer' && a.reply.form !== 'plain' ? a.reply.data : a.kind === 'http' ? a.json : null;
    const m = findField(data, MAC_FIELDS);
    // Avalon reports the MAC as 12 bare hex digits.
    const colons = m !== null && /^[0-9a-f]{12}$/i.test(m) ? m.replace(/(..)(?!$)/g, '$1:') : m;
    if (mac === null && colons !== null && MAC_RE.test(colons)) mac = colons.toUpperCase().replace(/-/g, ':');
    serial ??= findField(data, SERIAL_FIELDS);
  }
  return { mac, serial };
}

export async function readMiner(
  host: string,
  opts: ReadOptions,
): Promise<Result<MinerReading, IdentifyError>> {
  try {
    const probe = new HostProbe(host, opts);
    const id = await identifyWith(probe, opts.profiles);
    if (!id.ok) return id;
    const profile = id.value.profile;
    const replies: Record<string, JsonObject | undefined> = {};
    for (const request of profile.status.requests) {
      const route = routeOf(profile, request);
      if (!route) continue;
      const a = await probe.ask(route.transport, route.port, request, profile);
      if (a.kind === 'cgminer' && a.reply.form !== 'plain' && a.reply.status?.status !== 'E')
        replies[request] = a.reply.data;
      if (a.kind === 'http' && a.status === 200 && a.json) replies[request] = a.json;
    }
    const status = normalizeStatus(profile.status.normalizer, replies as ReplySet);
    return ok({
      ip: host,
      make: id.value.make,
      model: id.value.model,
      firmware: id.value.firmware,
      firmwareVersion: id.value.firmwareVersion,
      ...status,
      profileId: profile.id,
      requests: probe.requestsSent,
      ...facts(await probe.answers()),
    });
  } catch (e) {
    return fail('NOT_A_MINER', `${host}: reading failed: ${(e as Error).message}`);
  }
}
