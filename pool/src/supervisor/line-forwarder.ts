import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Copies a child's output to ours line by line, each line tagged with the role it came from. */
export function forwardLines(from: Readable, to: Writable, prefix: string): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    to.write(`${prefix}${line}\n`);
  });
}
