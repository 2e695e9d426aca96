// Which make and firmware a host runs, from the profiles' probes in their identifyOrder.
import { fail, ok, type Result } from '@farmhand/core';
import type { JsonObject } from './cgminer-reply.js';
import type { FieldSource, FirmwareProfile, Probe, ProbeMatch, Transport } from './firmware-profile.js';
import { HostProbe, type Answer } from './host-probe.js';

export interface Identity {
  readonly profile: FirmwareProfile;
  readonly make: string;
  readonly model: string | null;
  readonly firmware: string;
  readonly firmwareVersion: string | null;
}

export type IdentifyError = 'NOT_A_MINER';

function portOf(profile: FirmwareProfile, name: string): number | undefined {
  return profile.ports.find((p) => p.name === name)?.port;
}

/** Where a status or field request goes: HTTP for `GET /...`, v3 for dotted btminer commands, else 4028. */
export function routeOf(
  profile: FirmwareProfile,
  request: string,
): { transport: Transport; port: number } | null {
  const want: Transport = /^(GET|POST) \//.test(request)
    ? 'http'
    : /^[a-z]+\.[a-z.]+/.test(request) && profile.ports.some((p) => p.transport === 'whatsminer-v3-tcp')
      ? 'whatsminer-v3-tcp'
      : 'cgminer-tcp';
  const p = profile.ports.find((x) => x.transport === want);
  return p ? { transport: want, port: p.port } : null;
}

/** Entries of `section` in a reply: cgminer arrays (`VERSION`), dotted object paths (`msg.miner`), or the top level. */
function entries(data: JsonObject | null, sectionName: string | undefined): JsonObject[] {
  if (!data) return [];
  if (sectionName === undefined) return [data];
  let v: unknown = data;
  for (const part of sectionName.split('.'))
    v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject)[part] : undefined;
  if (Array.isArray(v)) return v.filter((e): e is JsonObject => e !== null && typeof e === 'object');
  return v !== null && typeof v === 'object' ? [v as JsonObject] : [];
}

function dataOf(a: Answer): JsonObject | null {
  if (a.kind === 'cgminer') return a.reply.form === 'plain' ? null : a.reply.data;
  if (a.kind === 'http') return a.json;
  return null;
}

function fieldValue(a: Answer, sectionName: string | undefined, field: string): unknown {
  for (const e of entries(dataOf(a), sectionName)) if (field in e) return e[field];
  return undefined;
}

function matches(a: Answer, m: ProbeMatch): boolean {
  const re = m.pattern !== undefined ? new RegExp(m.pattern, 'i') : null;
  switch (m.in) {
    case 'field': {
      const v = fieldValue(a, m.section, m.field ?? '');
      if (v === undefined) return false;
      return re === null || re.test(typeof v === 'string' ? v : JSON.stringify(v));
    }
    case 'description':
      return a.kind === 'cgminer' && re !== null && re.test(a.reply.status?.description ?? '');
    case 'http-status':
      return a.kind === 'http' && re !== null && re.test(String(a.status));
    case 'header': {
      if (a.kind !== 'http' || re === null) return false;
      const h = a.headers[(m.header ?? '').toLowerCase()];
      return re.test(Array.isArray(h) ? h.join(', ') : (h ?? ''));
    }
    case 'body':
      return a.kind === 'http' && re !== null && re.test(a.body);
    case 'mdns-subtype':
      return false; // passive discovery only
  }
}

async function probeMatches(probe: HostProbe, profile: FirmwareProfile, p: Probe): Promise<boolean> {
  const port = portOf(profile, p.port);
  if (port === undefined || p.transport === 'mdns' || p.transport === 'grpc' || p.transport === 'udp')
    return false;
  const a = await probe.ask(p.transport, port, p.request);
  if (a.kind === 'none') return false;
  return p.match.every((m) => matches(a, m));
}

/** First value a list of sources yields; `pattern` keeps capture group 1. */
async function readField(
  probe: HostProbe,
  profile: FirmwareProfile,
  sources: readonly FieldSource[],
): Promise<string | null> {
  for (const s of sources) {
    const route = routeOf(profile, s.request);
    if (!route) continue;
    const a = await probe.ask(route.transport, route.port, s.request, profile);
    if (a.kind === 'none') continue;
    let v: unknown =
      s.section === 'STATUS' && s.field === 'Description' && a.kind === 'cgminer'
        ? a.reply.status?.description
        : fieldValue(a, s.section, s.field);
    if (typeof v === 'number') v = String(v);
    if (typeof v !== 'string' || v.trim() === '') continue;
    if (s.pattern !== undefined) {
      const m = new RegExp(s.pattern, 'i').exec(v);
      if (!m) continue;
      v = m[1] ?? m[0];
    }
    const out = (v as string).trim();
    if (out !== '') return out;
  }
  return null;
}

/** Runs the profiles' probes in order over one HostProbe; "not a miner" when none matches. */
export async function identifyWith(
  probe: HostProbe,
  profiles: readonly FirmwareProfile[],
): Promise<Result<Identity, IdentifyError>> {
  for (const profile of profiles) {
    for (const p of profile.identify) {
      if (!(await probeMatches(probe, profile, p))) continue;
      const model = await readField(probe, profile, profile.model);
      const firmwareVersion = await readField(probe, profile, profile.firmwareVersion);
      return ok({ profile, make: profile.make, model, firmware: profile.firmware, firmwareVersion });
    }
  }
  return fail('NOT_A_MINER', `${probe.host}: no firmware profile matched what it answered`);
}
