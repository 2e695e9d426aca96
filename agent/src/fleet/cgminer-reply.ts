// What a miner meant when it answered on the cgminer-style API (TCP 4028), read tolerantly.
// Devices in the field send NUL terminators, `}{` between objects, keys without values, bare nan/inf,
// invalid escapes, raw newlines in strings, trailing junk, cgminer's text format and plain words.
// The layouts and every repair are described in docs/firmware-profiles.md.
import { fail, ok, type Result } from '@farmhand/core';

export type JsonObject = { [key: string]: unknown };

export type ReplyErrorCode = 'EMPTY_REPLY' | 'TRUNCATED_REPLY' | 'MALFORMED_REPLY' | 'UNREADABLE_REPLY';

export type Repair =
  | 'nul-stripped'
  | 'leading-blank-lines'
  | 'trailing-junk'
  | 'missing-comma'
  | 'missing-value'
  | 'non-finite-number'
  | 'invalid-escape'
  | 'raw-control-char'
  | 'trailing-comma';

/** One STATUS entry, whichever of the two shapes (array of objects, or fields at top level) the device used. */
export interface ReplyStatus {
  readonly status: string; // S success, I info, W warning, E error, F fatal
  readonly code: number | null;
  readonly msg: string;
  readonly description: string;
  readonly when: number | null;
}

export type CgminerReply =
  | {
      readonly form: 'json';
      readonly data: JsonObject;
      readonly status: ReplyStatus | null;
      readonly repairs: readonly Repair[];
    }
  | {
      readonly form: 'text';
      readonly data: JsonObject;
      readonly status: ReplyStatus | null;
      readonly repairs: readonly Repair[];
    }
  | {
      readonly form: 'plain';
      readonly text: string;
      readonly status: null;
      readonly repairs: readonly Repair[];
    };

const PLAIN_MAX = 4096;

/** Never throws: every input gives either what the device meant or a typed error. */
export function parseCgminerReply(raw: Uint8Array | string): Result<CgminerReply, ReplyErrorCode> {
  const repairs: Repair[] = [];
  let text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  if (text.includes('\0')) {
    // cgminer ends every reply with NUL; some builds send several, or pad.
    text = text.replace(/\0+$/, '');
    const inner = text.indexOf('\0');
    if (inner >= 0) text = text.slice(0, inner);
    repairs.push('nul-stripped');
  }
  const start = text.search(/\S/);
  if (start < 0) return fail('EMPTY_REPLY', 'the device closed the connection without sending anything');
  if (text.slice(0, start).includes('\n')) repairs.push('leading-blank-lines');
  text = text.slice(start).replace(/\s+$/, '');

  const first = text[0];
  if (first === '{' || first === '[') return parseJsonish(text, repairs);
  if (/^STATUS=[A-Z]/.test(text)) return ok(textReply(text, repairs));
  if (text.length <= PLAIN_MAX && isPrintable(text)) {
    return ok({ form: 'plain', text, status: null, repairs });
  }
  return fail(
    'UNREADABLE_REPLY',
    `the reply is neither JSON nor cgminer text (${text.length} bytes starting ${JSON.stringify(text.slice(0, 16))})`,
  );
}

function parseJsonish(text: string, repairs: Repair[]): Result<CgminerReply, ReplyErrorCode> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const fixed = repairJson(text, repairs);
    if (!fixed.ok) return fixed;
    try {
      value = JSON.parse(fixed.value);
    } catch (e) {
      return fail(
        'MALFORMED_REPLY',
        `the reply is JSON-like but unreadable after repair: ${(e as Error).message}`,
      );
    }
  }
  if (Array.isArray(value)) value = { ITEMS: value };
  if (value === null || typeof value !== 'object')
    return fail('MALFORMED_REPLY', 'the reply is not a JSON object');
  const data = value as JsonObject;
  return ok({ form: 'json', data, status: readStatus(data), repairs });
}

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) return false;
  }
  return true;
}

const WORD_TO_NULL = /^(?:-?nan|-?inf(?:inity)?)$/i;
const VALID_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);

/** Rewrites the device's near-JSON into JSON, recording each kind of repair it needed. */
function repairJson(src: string, repairs: Repair[]): Result<string, ReplyErrorCode> {
  const note = (r: Repair): void => {
    if (!repairs.includes(r)) repairs.push(r);
  };
  let out = '';
  let depth = 0;
  let inString = false;
  let i = 0;
  const nextNonSpace = (from: number): number => {
    let j = from;
    while (j < src.length && /\s/.test(src[j] as string)) j++;
    return j;
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (inString) {
      if (c === '\\') {
        const n = src[i + 1];
        if (n !== undefined && VALID_ESCAPES.has(n)) {
          out += c + n;
          i += 2;
        } else {
          note('invalid-escape'); // `\'` and friends: keep the character, drop the backslash
          i += 1;
        }
        continue;
      }
      if (c === '"') inString = false;
      if (c.charCodeAt(0) < 0x20) {
        note('raw-control-char');
        out +=
          c === '\n'
            ? '\\n'
            : c === '\r'
              ? '\\r'
              : c === '\t'
                ? '\\t'
                : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      } else {
        out += c;
      }
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      out += c;
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      depth--;
      out += c;
      i++;
      if (depth === 0) {
        if (nextNonSpace(i) < src.length) note('trailing-junk');
        return ok(out);
      }
      const j = nextNonSpace(i);
      if (src[j] === '{' || src[j] === '[') {
        note('missing-comma');
        out += ',';
      }
      continue;
    }
    if (c === ':') {
      out += c;
      const j = nextNonSpace(i + 1);
      if (src[j] === ',' || src[j] === '}' || src[j] === ']') {
        note('missing-value');
        out += 'null';
      }
      i++;
      continue;
    }
    if (c === ',') {
      const j = nextNonSpace(i + 1);
      if (src[j] === '}' || src[j] === ']') {
        note('trailing-comma');
      } else {
        out += c;
      }
      i++;
      continue;
    }
    if (/[A-Za-z+-]/.test(c)) {
      const m = /^[+-]?[A-Za-z]+/.exec(src.slice(i, i + 12));
      const word = m?.[0] ?? c;
      if (WORD_TO_NULL.test(word.replace(/^\+/, ''))) {
        note('non-finite-number');
        out += 'null';
        i += word.length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return fail('TRUNCATED_REPLY', `the reply ended before its JSON closed (${depth} level(s) open)`);
}

function readStatus(data: JsonObject): ReplyStatus | null {
  const raw = data.STATUS;
  let source: JsonObject | null = null;
  let letter: unknown;
  if (Array.isArray(raw) && raw[0] && typeof raw[0] === 'object') {
    source = raw[0] as JsonObject;
    letter = source.STATUS;
  } else if (typeof raw === 'string') {
    // Whatsminer's own commands put the status fields at top level, STATUS a bare letter.
    source = data;
    letter = raw;
  }
  if (!source) return null;
  const msg = source.Msg;
  return {
    status: typeof letter === 'string' ? letter : '',
    code: toNumber(source.Code),
    msg: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    description: typeof source.Description === 'string' ? source.Description : '',
    when: toNumber(source.When),
  };
}

/** cgminer's text format: `STATUS=S,When=..,Msg=..|SECTION,key=value,...|` into the JSON shape. */
function textReply(text: string, repairs: Repair[]): CgminerReply {
  const data: JsonObject = {};
  for (const section of splitEscaped(text, '|')) {
    if (section.trim() === '') continue;
    const fields = splitFields(section);
    const head = fields[0];
    if (!head) continue;
    const obj: JsonObject = {};
    let name: string;
    if (head.value === undefined) {
      name = head.key; // `VERSION,CGMiner=...`
      fields.shift();
    } else {
      name = head.key; // `STATUS=S,...` or `DEVDETAILS=0,...`: the head stays a field, as in the JSON form
    }
    for (const f of fields) obj[f.key] = f.value === undefined ? '' : textValue(f.value);
    if (name === 'STATUS' && typeof obj.STATUS !== 'string') obj.STATUS = String(obj.STATUS ?? '');
    const list = (data[name] as unknown[] | undefined) ?? [];
    list.push(obj);
    data[name] = list;
  }
  return { form: 'text', data, status: readStatus(data), repairs };
}

function splitEscaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

interface TextField {
  key: string;
  value: string | undefined;
}

// A comma starts a new field only when what follows looks like `Key=`; otherwise it belongs to the value
// (Avalon's multi-line Msg contains commas and newlines).
function splitFields(section: string): TextField[] {
  const fields: TextField[] = [];
  for (const part of splitEscaped(section, ',')) {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const last = fields[fields.length - 1];
    if (fields.length > 0 && last && (eq < 0 || !/^[A-Za-z][\w %#.-]*$/.test(key))) {
      last.value = `${last.value ?? ''},${part}`;
      continue;
    }
    fields.push({ key: unescape(key), value: eq >= 0 ? part.slice(eq + 1) : undefined });
  }
  return fields;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function textValue(v: string): unknown {
  const s = unescape(v);
  if (/^-?\d+(?:\.\d+)?$/.test(s) && !/^-?0\d/.test(s) && s.length < 16) return Number(s);
  return s;
}

/** Numbers arrive as numbers, as strings ("13883.81"), or as null after a nan repair. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
