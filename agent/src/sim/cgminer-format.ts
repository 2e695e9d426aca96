// The cgminer API envelope: a STATUS section, then the command's sections, then "id":1. A JSON
// request gets JSON; a plain-text request gets cgminer's text form (STATUS=S,...|SECTION,k=v,...|),
// as the real daemons answer. Every reply ends with a NUL byte on the wire (added by the server).

export type Fields = Record<string, string | number | boolean>;

export interface Status {
  readonly status: 'S' | 'I' | 'W' | 'E';
  readonly code: number;
  readonly msg: string;
}

export interface Reply {
  readonly status: Status;
  /** Section name → records, e.g. SUMMARY → [{...}]. */
  readonly sections: readonly (readonly [string, readonly Fields[]])[];
  /** A whole body prepared by the dialect (quirks that no object can hold, e.g. "}{"). */
  readonly rawJson?: string;
}

export function statusRecord(s: Status, when: number, description: string): Fields {
  return { STATUS: s.status, When: when, Code: s.code, Msg: s.msg, Description: description };
}

export function replyJson(r: Reply, when: number, description: string): string {
  if (r.rawJson !== undefined) return r.rawJson;
  const body: Record<string, unknown> = { STATUS: [statusRecord(r.status, when, description)] };
  for (const [name, records] of r.sections) body[name] = records;
  body['id'] = 1;
  return JSON.stringify(body);
}

/** Several commands joined with '+': {"cmd":[reply],...}, as cgminer does. */
export function joinedJson(parts: readonly (readonly [string, string])[]): string {
  return `{${parts.map(([cmd, json]) => `${JSON.stringify(cmd)}:[${json}]`).join(',')},"id":1}`;
}

function textValue(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

export function replyText(r: Reply, when: number, description: string): string {
  const st = statusRecord(r.status, when, description);
  let out = Object.entries(st)
    .map(([k, v]) => `${k}=${textValue(v)}`)
    .join(',');
  out += '|';
  for (const [name, records] of r.sections) {
    records.forEach((rec, i) => {
      const label = records.length > 1 ? `${name.replace(/S$/, '')}=${i}` : name.replace(/S$/, '');
      out += [label, ...Object.entries(rec).map(([k, v]) => `${k}=${textValue(v)}`)].join(',') + '|';
    });
  }
  return out;
}

export const ok = (code: number, msg: string): Status => ({ status: 'S', code, msg });
export const info = (code: number, msg: string): Status => ({ status: 'I', code, msg });
export const err = (code: number, msg: string): Status => ({ status: 'E', code, msg });

/** cgminer message codes (api.c) the simulator answers with. */
export const Msg = {
  invalidCommand: err(14, 'Invalid command'),
  invalidJson: err(23, 'Invalid JSON'),
  missingPoolId: err(25, 'Missing pool id parameter'),
  accessDenied: (cmd: string) => err(45, `Access denied to '${cmd}' command`),
  missingAddpool: err(52, 'Missing addpool details'),
  invalidAddpool: (p: string) => err(53, `Invalid addpool details '${p}'`),
  invalidPoolId: (id: number, max: number) => err(26, `Invalid pool id ${id} - range is 0 - ${max}`),
  switchPool: (id: number, url: string) => ok(27, `Switching to pool ${id}:'${url}'`),
  enablePool: (id: number, url: string) => ok(47, `Enabling pool ${id}:'${url}'`),
  disablePool: (id: number, url: string) => ok(48, `Disabling pool ${id}:'${url}'`),
  alreadyEnabled: (id: number, url: string) => info(49, `Pool ${id}:'${url}' already enabled`),
  alreadyDisabled: (id: number, url: string) => info(50, `Pool ${id}:'${url}' already disabled`),
  disableLast: (id: number, url: string) => err(51, `Cannot disable last active pool ${id}:'${url}'`),
  addPool: (id: number, url: string) => ok(55, `Added pool ${id}: '${url}'`),
  removeLast: (id: number, url: string) => err(66, `Cannot remove last pool ${id}:'${url}'`),
  removeActive: (id: number, url: string) => err(67, `Cannot remove active pool ${id}:'${url}'`),
  removePool: (id: number, url: string) => ok(68, `Removed pool ${id}:'${url}'`),
} as const;

/** A request as the daemon reads it: JSON {"command","parameter"} (or btminer's "cmd"), or text "cmd|param". */
export interface ApiRequest {
  readonly command: string;
  readonly parameter: string;
  readonly json: boolean;
}

export function parseApiRequest(raw: string): ApiRequest | undefined {
  const text = raw.replace(/\0+$/, '').trim();
  if (text.length === 0) return undefined;
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as Record<string, unknown>;
      const command = v['command'] ?? v['cmd'];
      if (typeof command !== 'string') return undefined;
      const p = v['parameter'] ?? v['param'] ?? '';
      return { command, parameter: typeof p === 'string' ? p : String(p), json: true };
    } catch {
      return undefined;
    }
  }
  const bar = text.indexOf('|');
  return bar < 0
    ? { command: text, parameter: '', json: false }
    : { command: text.slice(0, bar), parameter: text.slice(bar + 1), json: false };
}
