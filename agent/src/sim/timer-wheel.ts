// One timer for the whole farm: thousands of miners schedule share events, back-offs and restarts
// here instead of each holding its own setTimeout/setInterval.

export interface TimerHandle {
  cancelled: boolean;
}

interface Entry extends TimerHandle {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class TimerWheel {
  readonly #heap: Entry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Infinity;
  #seq = 0;
  #stopped = false;
  #cancelled = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Runs fn after delayMs (never earlier). Returns a handle for cancel(). */
  after(delayMs: number, fn: () => void): TimerHandle {
    const e: Entry = { at: Date.now() + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    if (this.#stopped) {
      e.cancelled = true;
      return e;
    }
    this.#push(e);
    this.#arm();
    return e;
  }

  cancel(h: TimerHandle | undefined): void {
    if (!h || h.cancelled) return;
    h.cancelled = true;
    // Cancelled entries wait in the heap until due; rebuild when they are most of it (job storms).
    if (++this.#cancelled > 1024 && this.#cancelled > this.#heap.length / 2) this.#compact();
  }

  #compact(): void {
    const live = this.#heap.filter((e) => !e.cancelled);
    this.#heap.length = 0;
    this.#cancelled = 0;
    for (const e of live) this.#push(e);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap.length = 0;
  }

  #arm(): void {
    const top = this.#heap[0];
    if (!top || this.#stopped) return;
    if (this.#timer && top.at >= this.#armedAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedAt = top.at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, top.at - Date.now()));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = Date.now();
    // Bounded batch so a burst of due timers cannot starve socket I/O.
    for (let n = 0; n < 2000; n++) {
      const top = this.#heap[0];
      if (!top || top.at > now) break;
      this.#pop();
      if (top.cancelled) this.#cancelled = Math.max(0, this.#cancelled - 1);
      else {
        top.cancelled = true;
        top.fn();
      }
    }
    this.#arm();
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
