// IPs refused at accept: the operator's static list, plus addresses banned for a while after abuse
// (a session closed for mostly-invalid shares, a flood, an oversized line, repeated malformed lines).

export class IpBans {
  readonly #static: Set<string>;
  readonly #until = new Map<string, number>();

  constructor(
    staticList: readonly string[],
    readonly banMs: number,
  ) {
    this.#static = new Set(staticList);
  }

  ban(ip: string, now: number): void {
    this.#until.set(ip, now + this.banMs);
  }

  banned(ip: string, now: number): boolean {
    if (this.#static.has(ip)) return true;
    const until = this.#until.get(ip);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(ip);
    return false;
  }

  get size(): number {
    return this.#until.size;
  }
}
