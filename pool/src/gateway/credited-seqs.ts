// Which record seqs of one agent have been credited, so a replayed record (its ACK was lost) is acked
// again without being counted twice. Seqs are the agent's store sequence, strictly increasing; all
// decided seqs up to `floor` are folded into one number and the rest kept in sets. The window is
// bounded: past `window` seqs above the floor, the floor moves up (older seqs count as decided).

export class CreditedSeqs {
  #floor: number | undefined;
  readonly #credited = new Set<number>();
  readonly #rejected = new Set<number>();

  constructor(readonly window = 2 ** 20) {}

  /** True when the seq was credited before (or is at/below the folded floor). */
  has(seq: number): boolean {
    if (this.#floor !== undefined && seq <= this.#floor) return true;
    return this.#credited.has(seq);
  }

  /** The first batch of a session fixes where the agent's seqs start. */
  start(lowest: number): void {
    if (this.#floor === undefined) this.#floor = lowest - 1;
  }

  credit(seq: number): void {
    this.#credited.add(seq);
    this.#fold(seq);
  }

  reject(seq: number): void {
    this.#rejected.add(seq);
    this.#fold(seq);
  }

  get floor(): number | undefined {
    return this.#floor;
  }

  get held(): number {
    return this.#credited.size + this.#rejected.size;
  }

  #fold(latest: number): void {
    if (this.#floor === undefined) this.#floor = latest - 1;
    let f = this.#floor;
    for (;;) {
      const next = f + 1;
      if (this.#credited.delete(next) || this.#rejected.delete(next)) f = next;
      else break;
    }
    if (latest - f > this.window) {
      const to = latest - this.window;
      for (const s of this.#credited) if (s <= to) this.#credited.delete(s);
      for (const s of this.#rejected) if (s <= to) this.#rejected.delete(s);
      f = to;
    }
    this.#floor = f;
  }
}
