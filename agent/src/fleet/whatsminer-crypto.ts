// Whatsminer btminer v1/v2 privileged (write) commands. get_token answers {time, salt, newsalt};
//   key  = md5-crypt(password, salt) hash part      ("host_passwd_md5")
//   sign = md5-crypt(key + time, newsalt) hash part ("host_sign", sent as the command's token)
//   aes  = AES-256-ECB with sha256(key) as the key, plaintext zero-padded to 16 bytes, base64
// and the command travels as {"enc":1,"data":"<base64>"}; the reply {"enc":"<base64>"} decrypts the same way.
// Layout and a test vector: docs/firmware-profiles.md.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function md5(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

function to64(v: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return out;
}

/** The FreeBSD/glibc `$1$` md5-crypt; returns `$1$<salt>$<hash>`. */
export function md5Crypt(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(
    salt
      .replace(/^\$1\$/, '')
      .split('$')[0]
      ?.slice(0, 8) ?? '',
    'utf8',
  );
  const alt = md5(pw, s, pw);
  const parts: Buffer[] = [pw, Buffer.from('$1$'), s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) parts.push(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  let fin = md5(...parts);
  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [];
    round.push(i & 1 ? pw : fin);
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? fin : pw);
    fin = md5(...round);
  }
  const b = (i: number): number => fin[i] as number;
  const hash =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `$1$${s.toString('utf8')}$${hash}`;
}

export interface WhatsminerToken {
  readonly time: string;
  readonly salt: string;
  readonly newsalt: string;
}

export interface WhatsminerSession {
  readonly key: string; // host_passwd_md5
  readonly sign: string; // host_sign
}

function hashPart(crypted: string): string {
  return crypted.split('$')[3] ?? '';
}

export function whatsminerSession(password: string, token: WhatsminerToken): WhatsminerSession {
  const key = hashPart(md5Crypt(password, token.salt));
  const sign = hashPart(md5Crypt(key + token.time, token.newsalt));
  return { key, sign };
}

function aesKey(session: WhatsminerSession): Buffer {
  return createHash('sha256').update(session.key).digest();
}

/** The JSON line to send for a privileged command (token added). */
export function encryptCommand(session: WhatsminerSession, command: Record<string, unknown>): string {
  const plain = Buffer.from(JSON.stringify({ ...command, token: session.sign }), 'utf8');
  const padded = Buffer.concat([plain, Buffer.alloc((16 - (plain.length % 16)) % 16)]);
  const c = createCipheriv('aes-256-ecb', aesKey(session), null);
  c.setAutoPadding(false);
  const data = Buffer.concat([c.update(padded), c.final()]).toString('base64');
  return JSON.stringify({ enc: 1, data });
}

/** Decrypts a `{"enc":"..."}` reply (or an `enc` request's data); null when it does not decrypt to text. */
export function decryptPayload(session: WhatsminerSession, base64: string): string | null {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) return null;
  const d = createDecipheriv('aes-256-ecb', aesKey(session), null);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(bytes), d.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  return plain.subarray(0, end).toString('utf8');
}
