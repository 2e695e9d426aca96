// A bounded disk queue of stats batches (the seed's gateway "queue", but on disk and exactly-once), used
// by the gateway and the metarelay. Every batch is appended to a segment file and fsync'd before it is
// sent; an ACK is appended to the segment's .acks file; a segment whose batches are all acked is deleted.
// After a restart the unacked batches are read back in order. Entries are named by a spool key from a
// persisted reservation (takeSeq), so a restart never reuses one. The gateway uses the key as the batch
// seq; the metarelay spools batches from many sources under keys of its own, their ids untouched.
// Past maxBytes new batches are dropped and counted.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
  existsSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '@farmhand/core';
import { decodeStatsBatch, type StatsBatch } from '@farmhand/core/stats';

const SEGMENT_BYTES = 4 * 1024 * 1024;
/** Seqs reserved per write of the seq file (one fsync per this many batches). */
const SEQ_RESERVATION = 1000;

interface Entry {
  /** The spool key (the gateway's batch seq; the metarelay's own counter). */
  readonly seq: number;
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
  acked: boolean;
}

interface Segment {
  readonly name: string;
  bytes: number;
  unacked: number;
  fd?: number;
}

export interface SpoolProblem {
  readonly file: string;
  readonly message: string;
}

export class StatsSpool {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #entries: Entry[] = [];
  readonly #segments = new Map<string, Segment>();
  #head = 0;
  #current: Segment | undefined;
  #nextSeq = 0;
  #reservedTo = 0;
  #bytes = 0;
  dropped = 0;
  droppedRecords = 0;
  /** Lines that could not be read back after a crash (a torn last write), skipped. */
  readonly problems: SpoolProblem[] = [];

  constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    mkdirSync(dir, { recursive: true });
    this.#load();
  }

  get bytes(): number {
    return this.#bytes;
  }

  get pending(): number {
    return this.#entries.length - this.#head - this.#ackedAhead();
  }

  /** The seq of the next batch; persisted in blocks so a restart skips past any seq used before. */
  takeSeq(): number {
    if (this.#nextSeq >= this.#reservedTo) {
      this.#reservedTo = this.#nextSeq + SEQ_RESERVATION;
      const tmp = join(this.#dir, 'seq.tmp');
      const fd = openSync(tmp, 'w');
      writeSync(fd, `${this.#reservedTo}\n`);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, join(this.#dir, 'seq'));
    }
    return this.#nextSeq++;
  }

  /**
   * Appends a batch durably under `key` (default: its seq; keys must increase); false when the bound
   * would be passed (the batch is dropped and counted). A key other than the batch seq is written
   * before the JSON on the line: `<key> {...}`.
   */
  append(batch: StatsBatch, key = batch.seq): boolean {
    const last = this.#entries[this.#entries.length - 1];
    if (last && key <= last.seq) throw new RangeError(`spool key ${key} after ${last.seq}`);
    const json = JSON.stringify(batch);
    const line = Buffer.from(key === batch.seq ? `${json}\n` : `${key} ${json}\n`);
    if (this.#bytes + line.length > this.#maxBytes) {
      this.dropped += 1;
      this.droppedRecords += batch.records.length;
      return false;
    }
    let seg = this.#current;
    if (!seg || seg.bytes >= SEGMENT_BYTES) {
      if (seg?.fd !== undefined) closeSync(seg.fd);
      seg = { name: `seg-${String(key).padStart(16, '0')}`, bytes: 0, unacked: 0 };
      seg.fd = openSync(join(this.#dir, `${seg.name}.jsonl`), 'a');
      this.#segments.set(seg.name, seg);
      this.#current = seg;
    }
    writeSync(seg.fd!, line);
    fsyncSync(seg.fd!);
    this.#entries.push({
      seq: key,
      segment: seg,
      offset: seg.bytes,
      length: line.length,
      acked: false,
    });
    seg.bytes += line.length;
    seg.unacked += 1;
    this.#bytes += line.length;
    return true;
  }

  /** Unacked keys after `after` (exclusive), in order, at most `limit`. */
  next(after: number, limit: number): number[] {
    const out: number[] = [];
    let i = this.#search(after + 1);
    for (; i < this.#entries.length && out.length < limit; i++) {
      const e = this.#entries[i]!;
      if (!e.acked) out.push(e.seq);
    }
    return out;
  }

  read(seq: number): StatsBatch | undefined {
    const e = this.#entries[this.#search(seq)];
    if (!e || e.seq !== seq || e.acked) return undefined;
    const buf = Buffer.alloc(e.length);
    const fd = openSync(join(this.#dir, `${e.segment.name}.jsonl`), 'r');
    try {
      readSync(fd, buf, 0, e.length, e.offset);
    } finally {
      closeSync(fd);
    }
    const b = decodeLine(buf.subarray(0, buf.length - 1));
    return b.ok ? b.value.batch : undefined;
  }

  /** The metawriter has the batch (or it can never be applied): forget it. */
  ack(seq: number): void {
    const e = this.#entries[this.#search(seq)];
    if (!e || e.seq !== seq || e.acked) return;
    e.acked = true;
    const seg = e.segment;
    seg.unacked -= 1;
    const acks = openSync(join(this.#dir, `${seg.name}.acks`), 'a');
    writeSync(acks, `${seq}\n`);
    closeSync(acks);
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.acked) this.#head += 1;
    if (seg.unacked === 0 && seg !== this.#current) this.#drop(seg);
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  close(): void {
    if (this.#current?.fd !== undefined) closeSync(this.#current.fd);
    this.#current = undefined;
  }

  #drop(seg: Segment): void {
    if (seg.fd !== undefined) closeSync(seg.fd);
    for (const ext of ['jsonl', 'acks']) {
      const f = join(this.#dir, `${seg.name}.${ext}`);
      if (existsSync(f)) unlinkSync(f);
    }
    this.#segments.delete(seg.name);
    this.#bytes -= seg.bytes;
  }

  #ackedAhead(): number {
    let n = 0;
    for (let i = this.#head; i < this.#entries.length; i++) if (this.#entries[i]!.acked) n += 1;
    return n;
  }

  /** First index whose seq is ≥ seq (entries are in seq order). */
  #search(seq: number): number {
    let lo = this.#head;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entries[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #load(): void {
    const seqFile = join(this.#dir, 'seq');
    if (existsSync(seqFile)) {
      const n = Number(readFileSync(seqFile, 'utf8').trim());
      if (Number.isSafeInteger(n) && n >= 0) this.#nextSeq = this.#reservedTo = n;
    }
    const names = readdirSync(this.#dir)
      .filter((f) => /^seg-\d{16}\.jsonl$/.test(f))
      .sort();
    for (const file of names) {
      const name = file.slice(0, -'.jsonl'.length);
      const path = join(this.#dir, file);
      const acksPath = join(this.#dir, `${name}.acks`);
      const acked = new Set(
        existsSync(acksPath) ? readFileSync(acksPath, 'utf8').split('\n').filter(Boolean).map(Number) : [],
      );
      const data = readFileSync(path);
      const seg: Segment = { name, bytes: statSync(path).size, unacked: 0 };
      let offset = 0;
      while (offset < data.length) {
        let nl = data.indexOf(0x0a, offset);
        if (nl < 0) nl = data.length;
        const b = decodeLine(data.subarray(offset, nl));
        if (!b.ok) this.problems.push({ file, message: b.error.message });
        else {
          const key = b.value.key;
          if (key >= this.#nextSeq) this.#nextSeq = this.#reservedTo = key + 1;
          const last = this.#entries[this.#entries.length - 1];
          if (!acked.has(key) && (!last || last.seq < key)) {
            this.#entries.push({
              seq: key,
              segment: seg,
              offset,
              length: nl + 1 - offset,
              acked: false,
            });
            seg.unacked += 1;
          }
        }
        offset = nl + 1;
      }
      this.#segments.set(name, seg);
      this.#bytes += seg.bytes;
      if (seg.unacked === 0) this.#drop(seg);
    }
  }
}

/** A spool line: `{batch}` (key = batch seq) or `<key> {batch}`. */
function decodeLine(line: Uint8Array): Result<{ key: number; batch: StatsBatch }, 'BATCH_INVALID'> {
  let start = 0;
  let key: number | undefined;
  if (line[0] !== 0x7b) {
    const space = line.indexOf(0x20);
    const k = Number(Buffer.from(line.subarray(0, space < 0 ? 0 : space)).toString('latin1'));
    if (space <= 0 || !Number.isSafeInteger(k) || k < 0)
      return fail('BATCH_INVALID', 'spool line starts with neither "{" nor a key');
    key = k;
    start = space + 1;
  }
  const b = decodeStatsBatch(line.subarray(start));
  if (!b.ok) return b;
  return ok({ key: key ?? b.value.seq, batch: b.value });
}
