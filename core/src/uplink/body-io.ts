// Big-endian body writer and a bounds-checked reader for uplink message bodies. The reader never
// throws: it records the first shortfall and returns zeros, and the decoder checks `error` once.

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class BodyWriter {
  #buf: Uint8Array;
  #view: DataView;
  #at = 0;

  constructor(initial = 64) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#at));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#room(1);
    this.#view.setUint8(this.#at, v);
    this.#at += 1;
    return this;
  }
  u16(v: number): this {
    this.#room(2);
    this.#view.setUint16(this.#at, v);
    this.#at += 2;
    return this;
  }
  u32(v: number): this {
    this.#room(4);
    this.#view.setUint32(this.#at, v);
    this.#at += 4;
    return this;
  }
  u64(v: number): this {
    this.#room(8);
    this.#view.setBigUint64(this.#at, BigInt(v));
    this.#at += 8;
    return this;
  }
  f64(v: number): this {
    this.#room(8);
    this.#view.setFloat64(this.#at, v);
    this.#at += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#room(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
    return this;
  }
  /** A u8 length then UTF-8 bytes (callers check the 255-byte bound first). */
  str8(s: string): this {
    const b = utf8.encode(s);
    return this.u8(b.length).bytes(b);
  }
  /** A u16 length then UTF-8 bytes. */
  str16(s: string): this {
    const b = utf8.encode(s);
    return this.u16(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

export function utf8Length(s: string): number {
  return utf8.encode(s).length;
}

export class BodyReader {
  readonly #b: Uint8Array;
  readonly #view: DataView;
  #at = 0;
  error: string | null = null;

  constructor(body: Uint8Array) {
    this.#b = body;
    this.#view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  get remaining(): number {
    return this.#b.length - this.#at;
  }

  #need(n: number, what: string): boolean {
    if (this.error) return false;
    if (this.#at + n > this.#b.length) {
      this.error = `body ends before ${what} (needs ${n} bytes at offset ${this.#at}, has ${this.#b.length - this.#at})`;
      return false;
    }
    return true;
  }

  u8(what: string): number {
    if (!this.#need(1, what)) return 0;
    return this.#view.getUint8(this.#at++);
  }
  u16(what: string): number {
    if (!this.#need(2, what)) return 0;
    const v = this.#view.getUint16(this.#at);
    this.#at += 2;
    return v;
  }
  u32(what: string): number {
    if (!this.#need(4, what)) return 0;
    const v = this.#view.getUint32(this.#at);
    this.#at += 4;
    return v;
  }
  u64(what: string): number {
    if (!this.#need(8, what)) return 0;
    const v = this.#view.getBigUint64(this.#at);
    this.#at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.error = `${what} ${v} is above 2^53-1`;
      return 0;
    }
    return Number(v);
  }
  f64(what: string): number {
    if (!this.#need(8, what)) return 0;
    const v = this.#view.getFloat64(this.#at);
    this.#at += 8;
    return v;
  }
  bytes(n: number, what: string): Uint8Array {
    if (!this.#need(n, what)) return new Uint8Array(0);
    const out = this.#b.slice(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }
  #text(n: number, what: string): string {
    const b = this.bytes(n, what);
    if (this.error) return '';
    try {
      return utf8Strict.decode(b);
    } catch {
      this.error = `${what} is not valid UTF-8`;
      return '';
    }
  }
  str8(what: string): string {
    return this.#text(this.u8(`${what} length`), what);
  }
  str16(what: string): string {
    return this.#text(this.u16(`${what} length`), what);
  }
  /** Flags trailing bytes: every body has an exact layout. */
  end(what: string): void {
    if (!this.error && this.#at !== this.#b.length)
      this.error = `${what} has ${this.#b.length - this.#at} unexpected trailing bytes`;
  }
  fail(message: string): void {
    if (!this.error) this.error = message;
  }
}
