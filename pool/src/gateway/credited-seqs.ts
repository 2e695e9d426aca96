// What became of each record seq of one agent, so a replayed record (its ACK was lost) gets the same
// verdict again without being counted twice. Seqs are the agent's store sequence, strictly increasing:
// every decided seq up to `floor` is folded into one number; credited seqs above it sit in a set; the
// reject codes of the last `rejectMemory` rejected seqs are kept so a replay is refused the same way.
// Bounded: past `window` seqs above the floor, the floor moves up (older seqs count as decided).

/** 0 = credited before; otherwise the reject code it got. */
export type PastVerdict = 0 | number;

export class CreditedSeqs {
  #floor: number | undefined;
  readonly #credited = new Set<number>();
  readonly #rejected = new Map<number, number>();
  /** Rejected seqs above the floor (they hold folding back, like credited ones). */
  readonly #rejectedAbove = new Set<number>();

  constructor(
    readonly window = 2 ** 20,
    readonly rejectMemory = 65_536,
  ) {}

  /** The verdict a seq got before, or undefined when it is new. */
  past(seq: number): PastVerdict | undefined {
    const code = this.#rejected.get(seq);
    if (code !== undefined) return code;
    if (this.#floor !== undefined && seq <= this.#floor) return 0;
    return this.#credited.has(seq) ? 0 : undefined;
  }

  /** The first batch of a session fixes where the agent's seqs start. */
  start(lowest: number): void {
    if (this.#floor === undefined) this.#floor = lowest - 1;
  }

  credit(seq: number): void {
    this.#credited.add(seq);
    this.#fold(seq);
  }

  reject(seq: number, code: number): void {
    this.#rejected.set(seq, code);
    if (this.#rejected.size > this.rejectMemory) this.#rejected.delete(this.#rejected.keys().next().value!);
    this.#rejectedAbove.add(seq);
    this.#fold(seq);
  }

  get floor(): number | undefined {
    return this.#floor;
  }

  get held(): number {
    return this.#credited.size + this.#rejectedAbove.size + this.#rejected.size;
  }

  #fold(latest: number): void {
    if (this.#floor === undefined) this.#floor = latest - 1;
    let f = this.#floor;
    for (;;) {
      const next = f + 1;
      if (this.#credited.delete(next) || this.#rejectedAbove.delete(next)) f = next;
      else break;
    }
    if (latest - f > this.window) {
      const to = latest - this.window;
      for (const s of this.#credited) if (s <= to) this.#credited.delete(s);
      for (const s of this.#rejectedAbove) if (s <= to) this.#rejectedAbove.delete(s);
      f = to;
    }
    this.#floor = f;
  }
}
