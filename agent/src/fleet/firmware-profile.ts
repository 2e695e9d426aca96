// A firmware profile is data: how to recognise one make/firmware, read its status and change its pools.
// Adding a make is adding a file under firmware-profiles/ (docs/firmware-profiles.md describes the fields).
// This file is the schema: the types and a validator that names the first wrong field.
import { fail, ok, type Result } from '@farmhand/core';

export type Transport = 'cgminer-tcp' | 'http' | 'whatsminer-v3-tcp' | 'grpc' | 'udp' | 'mdns';

export interface PortSpec {
  readonly name: string;
  readonly port: number;
  readonly transport: Transport;
}

/**
 * One condition on a probe's answer. `field`: a key in `section` (first entry that has it; top level for HTTP
 * JSON); without `pattern` the key only has to exist. `description`: the STATUS Description. `http-status`,
 * `header`, `body`: on an HTTP answer. `mdns-subtype`: a DNS-SD subtype seen while browsing.
 */
export interface ProbeMatch {
  readonly in: 'field' | 'description' | 'http-status' | 'header' | 'body' | 'mdns-subtype';
  readonly section?: string;
  readonly field?: string;
  readonly header?: string;
  readonly pattern?: string; // case-insensitive regular expression
}

export interface Probe {
  readonly transport: Transport;
  /** cgminer command, or `GET /path` for HTTP, or the mDNS service type. */
  readonly request: string;
  readonly port: string; // a PortSpec name
  /** All must hold. */
  readonly match: readonly ProbeMatch[];
}

/** Where a value is read: a probe's request, then a field; `pattern` picks capture group 1. */
export interface FieldSource {
  readonly request: string;
  readonly section?: string;
  readonly field: string;
  readonly pattern?: string;
}

export interface StatusField {
  readonly request: string;
  readonly fields: readonly string[];
  readonly note?: string;
}

export interface FirmwareProfile {
  readonly id: string;
  readonly make: string;
  readonly firmware: string;
  readonly title: string;
  /** Lower runs first: firmwares that imitate another (VNish, Hiveon on Antminer) come before it. */
  readonly identifyOrder: number;
  readonly ports: readonly PortSpec[];
  /** Any probe matching identifies the firmware. */
  readonly identify: readonly Probe[];
  readonly model: readonly FieldSource[];
  readonly firmwareVersion: readonly FieldSource[];
  readonly status: {
    readonly normalizer: 'antminer' | 'whatsminer' | 'braiins' | 'avalon' | 'luxos' | 'axeos';
    readonly requests: readonly string[];
    readonly hashrateUnit: 'MH' | 'GH' | 'TH';
    readonly hashrate: StatusField;
    readonly boards: StatusField;
    readonly temps: StatusField;
    readonly fans: StatusField;
    readonly pools: StatusField;
    readonly uptime: StatusField;
    readonly errors?: StatusField;
    readonly power?: StatusField;
  };
  readonly changePools: {
    readonly method: string;
    readonly request: string;
    readonly auth:
      | 'none'
      | 'digest'
      | 'whatsminer-token-aes'
      | 'luxos-session'
      | 'bearer'
      | 'luci-cookie'
      | 'api-write-access';
    readonly defaultCredentials: { readonly user: string; readonly password: string } | null;
    readonly restarts: boolean;
    readonly notes: string;
  };
  readonly ipReport: { readonly udpPort: number; readonly payload: string } | null;
  readonly mdns: {
    readonly service: string;
    readonly subtype: string;
    readonly txt: readonly string[];
  } | null;
  readonly sources: readonly string[];
}

export type ProfileErrorCode = 'INVALID_PROFILE';

const TRANSPORTS: readonly string[] = ['cgminer-tcp', 'http', 'whatsminer-v3-tcp', 'grpc', 'udp', 'mdns'];
const MATCH_IN: readonly string[] = ['field', 'description', 'http-status', 'header', 'body', 'mdns-subtype'];
const NORMALIZERS: readonly string[] = ['antminer', 'whatsminer', 'braiins', 'avalon', 'luxos', 'axeos'];
const UNITS: readonly string[] = ['MH', 'GH', 'TH'];
const AUTHS: readonly string[] = [
  'none',
  'digest',
  'whatsminer-token-aes',
  'luxos-session',
  'bearer',
  'luci-cookie',
  'api-write-access',
];

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Invalid(`${path} must be an object`);
  return v as Obj;
}
function str(v: unknown, path: string, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v === ''))
    throw new Invalid(`${path} must be a${allowEmpty ? '' : ' non-empty'} string`);
  return v;
}
function optStr(v: unknown, path: string): void {
  if (v !== undefined) str(v, path);
}
function regex(v: unknown, path: string): void {
  if (v === undefined) return;
  const s = str(v, path);
  try {
    new RegExp(s, 'i');
  } catch {
    throw new Invalid(`${path} is not a valid regular expression: ${s}`);
  }
}
function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new Invalid(`${path} must be an integer in ${min}..${max}`);
  return v;
}
function oneOf(v: unknown, path: string, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v))
    throw new Invalid(`${path} must be one of ${allowed.join(', ')}`);
}
function list(v: unknown, path: string, min = 0): unknown[] {
  if (!Array.isArray(v) || v.length < min)
    throw new Invalid(`${path} must be a list with at least ${min} item(s)`);
  return v;
}
function noExtra(o: Obj, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new Invalid(`${path}.${k} is not a known field`);
}

function checkStatusField(v: unknown, path: string): void {
  const o = obj(v, path);
  noExtra(o, path, ['request', 'fields', 'note']);
  str(o.request, `${path}.request`);
  list(o.fields, `${path}.fields`, 1).forEach((f, i) => str(f, `${path}.fields[${i}]`));
  optStr(o.note, `${path}.note`);
}

function checkFieldSource(v: unknown, path: string): void {
  const o = obj(v, path);
  noExtra(o, path, ['request', 'section', 'field', 'pattern']);
  str(o.request, `${path}.request`);
  optStr(o.section, `${path}.section`);
  str(o.field, `${path}.field`);
  regex(o.pattern, `${path}.pattern`);
}

function check(v: unknown, expectedId: string | null): FirmwareProfile {
  const p = obj(v, 'profile');
  noExtra(p, 'profile', [
    '$schema',
    'id',
    'make',
    'firmware',
    'title',
    'identifyOrder',
    'ports',
    'identify',
    'model',
    'firmwareVersion',
    'status',
    'changePools',
    'ipReport',
    'mdns',
    'sources',
  ]);
  const id = str(p.id, 'id');
  if (!/^[a-z0-9-]+$/.test(id)) throw new Invalid('id must be lowercase letters, digits and dashes');
  if (expectedId !== null && id !== expectedId)
    throw new Invalid(`id "${id}" must equal the file name "${expectedId}"`);
  str(p.make, 'make');
  str(p.firmware, 'firmware');
  str(p.title, 'title');
  int(p.identifyOrder, 'identifyOrder', 0, 1000);
  const portNames = new Set<string>();
  list(p.ports, 'ports', 1).forEach((x, i) => {
    const o = obj(x, `ports[${i}]`);
    noExtra(o, `ports[${i}]`, ['name', 'port', 'transport']);
    portNames.add(str(o.name, `ports[${i}].name`));
    int(o.port, `ports[${i}].port`, 1, 65535);
    oneOf(o.transport, `ports[${i}].transport`, TRANSPORTS);
  });
  list(p.identify, 'identify', 1).forEach((x, i) => {
    const path = `identify[${i}]`;
    const o = obj(x, path);
    noExtra(o, path, ['transport', 'request', 'port', 'match']);
    oneOf(o.transport, `${path}.transport`, TRANSPORTS);
    str(o.request, `${path}.request`);
    const port = str(o.port, `${path}.port`);
    if (!portNames.has(port)) throw new Invalid(`${path}.port "${port}" is not one of the profile's ports`);
    list(o.match, `${path}.match`, 1).forEach((m, j) => {
      const mp = `${path}.match[${j}]`;
      const mo = obj(m, mp);
      noExtra(mo, mp, ['in', 'section', 'field', 'header', 'pattern']);
      oneOf(mo.in, `${mp}.in`, MATCH_IN);
      optStr(mo.section, `${mp}.section`);
      optStr(mo.field, `${mp}.field`);
      optStr(mo.header, `${mp}.header`);
      regex(mo.pattern, `${mp}.pattern`);
      if (mo.in === 'field' && mo.field === undefined)
        throw new Invalid(`${mp}.field is required when in is "field"`);
      if (mo.in === 'header' && mo.header === undefined)
        throw new Invalid(`${mp}.header is required when in is "header"`);
      if (mo.in !== 'field' && mo.pattern === undefined)
        throw new Invalid(`${mp}.pattern is required when in is "${String(mo.in)}"`);
    });
  });
  list(p.model, 'model', 1).forEach((x, i) => checkFieldSource(x, `model[${i}]`));
  list(p.firmwareVersion, 'firmwareVersion', 1).forEach((x, i) =>
    checkFieldSource(x, `firmwareVersion[${i}]`),
  );
  const s = obj(p.status, 'status');
  noExtra(s, 'status', [
    'normalizer',
    'requests',
    'hashrateUnit',
    'hashrate',
    'boards',
    'temps',
    'fans',
    'pools',
    'uptime',
    'errors',
    'power',
  ]);
  oneOf(s.normalizer, 'status.normalizer', NORMALIZERS);
  list(s.requests, 'status.requests', 1).forEach((r, i) => str(r, `status.requests[${i}]`));
  oneOf(s.hashrateUnit, 'status.hashrateUnit', UNITS);
  for (const k of ['hashrate', 'boards', 'temps', 'fans', 'pools', 'uptime'])
    checkStatusField(s[k], `status.${k}`);
  for (const k of ['errors', 'power']) if (s[k] !== undefined) checkStatusField(s[k], `status.${k}`);
  const c = obj(p.changePools, 'changePools');
  noExtra(c, 'changePools', ['method', 'request', 'auth', 'defaultCredentials', 'restarts', 'notes']);
  str(c.method, 'changePools.method');
  str(c.request, 'changePools.request');
  oneOf(c.auth, 'changePools.auth', AUTHS);
  if (c.defaultCredentials !== null) {
    const d = obj(c.defaultCredentials, 'changePools.defaultCredentials');
    noExtra(d, 'changePools.defaultCredentials', ['user', 'password']);
    str(d.user, 'changePools.defaultCredentials.user');
    str(d.password, 'changePools.defaultCredentials.password', true);
  }
  if (typeof c.restarts !== 'boolean') throw new Invalid('changePools.restarts must be true or false');
  str(c.notes, 'changePools.notes');
  if (p.ipReport !== null) {
    const r = obj(p.ipReport, 'ipReport');
    noExtra(r, 'ipReport', ['udpPort', 'payload']);
    int(r.udpPort, 'ipReport.udpPort', 1, 65535);
    str(r.payload, 'ipReport.payload');
  }
  if (p.mdns !== null) {
    const m = obj(p.mdns, 'mdns');
    noExtra(m, 'mdns', ['service', 'subtype', 'txt']);
    str(m.service, 'mdns.service');
    str(m.subtype, 'mdns.subtype');
    list(m.txt, 'mdns.txt').forEach((t, i) => str(t, `mdns.txt[${i}]`));
  }
  list(p.sources, 'sources', 1).forEach((x, i) => str(x, `sources[${i}]`));
  return p as unknown as FirmwareProfile;
}

/** `expectedId` is the file name without `.json` (null when the profile did not come from a file). */
export function validateProfile(
  v: unknown,
  expectedId: string | null = null,
): Result<FirmwareProfile, ProfileErrorCode> {
  try {
    return ok(check(v, expectedId));
  } catch (e) {
    if (e instanceof Invalid) return fail('INVALID_PROFILE', `${expectedId ?? 'profile'}: ${e.message}`);
    throw e;
  }
}
