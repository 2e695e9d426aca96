import { createHash, randomBytes } from 'node:crypto';

// HTTP Digest (RFC 2617, MD5, qop=auth) as the Antminer web server (lighttpd) asks for it.

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export class DigestGuard {
  readonly #nonces = new Set<string>();

  constructor(
    readonly realm: string,
    private readonly user: string,
    private readonly password: string,
  ) {}

  challenge(): string {
    const nonce = randomBytes(16).toString('hex');
    this.#nonces.add(nonce);
    if (this.#nonces.size > 256) this.#nonces.delete(this.#nonces.values().next().value!);
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm="MD5"`;
  }

  /** True when the Authorization header answers one of our challenges with the right password. */
  check(method: string, header: string | undefined): boolean {
    if (!header?.startsWith('Digest ')) return false;
    const f: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) f[m[1]!] = m[2] ?? m[3] ?? '';
    const { username, nonce, uri, response, qop, nc, cnonce } = f;
    if (username !== this.user || !nonce || !uri || !response || !this.#nonces.has(nonce)) return false;
    const ha1 = md5(`${this.user}:${this.realm}:${this.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected = qop
      ? md5(`${ha1}:${nonce}:${nc ?? ''}:${cnonce ?? ''}:${qop}:${ha2}`)
      : md5(`${ha1}:${nonce}:${ha2}`);
    return expected === response.toLowerCase();
  }
}
