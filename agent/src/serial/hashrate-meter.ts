// The device's hash rate from its own nonces, as cgminer's Icarus timing does: a device counts nonces
// up from 0 and stops at the first hit, so a reply with counter c after t seconds means c+1 hashes in t.

export class HashrateMeter {
  private readonly samples: { hashes: number; ms: number }[] = [];
  private hashes = 0;
  private ms = 0;

  constructor(private readonly window = 64) {}

  add(hashes: number, ms: number): void {
    if (!(ms > 0)) return;
    this.samples.push({ hashes, ms });
    this.hashes += hashes;
    this.ms += ms;
    if (this.samples.length > this.window) {
      const old = this.samples.shift()!;
      this.hashes -= old.hashes;
      this.ms -= old.ms;
    }
  }

  /** Hashes per second, or null until there are enough samples to say. */
  get rate(): number | null {
    return this.samples.length >= 4 && this.ms > 0 ? (this.hashes * 1000) / this.ms : null;
  }
}
