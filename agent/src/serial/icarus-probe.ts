import { SerialPort } from 'serialport';
import { difficultyToTarget, hashMeetsTarget, targetToBytes } from '@farmhand/core/bitcoin';
import { fail, ok, type Result } from '@farmhand/core';
import {
  ICARUS_GOLDEN_NONCE,
  ICARUS_GOLDEN_WORK,
  ICARUS_NONCE_BYTES,
  decodeIcarusWork,
  icarusHash,
  nonceCounter,
} from './icarus-work.js';

// Is an Icarus-protocol miner on this port? Write the golden work item and wait for its nonce. A real
// device answers 000187a2 within milliseconds; one configured with an easier difficulty (the simulator)
// may answer an earlier nonce, accepted when it hashes to that difficulty.

export type ProbeError = 'OPEN_FAILED' | 'NO_ANSWER' | 'WRONG_ANSWER';

export function probeIcarus(
  path: string,
  opts: { baudRate: number; difficulty: number; timeoutMs: number },
): Promise<Result<{ nonce: string; ms: number }, ProbeError>> {
  return new Promise((resolve) => {
    const port = new SerialPort({ path, baudRate: opts.baudRate, autoOpen: false });
    let rx = Buffer.alloc(0);
    let timer: NodeJS.Timeout | null = null;
    let started = 0;
    const finish = (r: Result<{ nonce: string; ms: number }, ProbeError>) => {
      if (timer) clearTimeout(timer);
      port.removeAllListeners('data');
      port.on('error', () => {});
      if (port.isOpen) port.close(() => resolve(r));
      else resolve(r);
    };
    port.open((err) => {
      if (err) return resolve(fail('OPEN_FAILED', `cannot open ${path}: ${err.message}`));
      port.on('data', (b: Buffer) => {
        rx = Buffer.concat([rx, b]);
        if (rx.length < ICARUS_NONCE_BYTES) return;
        const reply = new Uint8Array(rx.subarray(0, ICARUS_NONCE_BYTES));
        const hex = Buffer.from(reply).toString('hex');
        const golden = Buffer.from(ICARUS_GOLDEN_NONCE).equals(reply);
        const target = targetToBytes(difficultyToTarget(opts.difficulty));
        const good =
          golden ||
          hashMeetsTarget(icarusHash(decodeIcarusWork(ICARUS_GOLDEN_WORK), nonceCounter(reply)), target);
        finish(
          good
            ? ok({ nonce: hex, ms: performance.now() - started })
            : fail('WRONG_ANSWER', `${path} answered ${hex} to the detection work, not a valid nonce`),
        );
      });
      timer = setTimeout(
        () => finish(fail('NO_ANSWER', `${path} did not answer the detection work in ${opts.timeoutMs} ms`)),
        opts.timeoutMs,
      );
      started = performance.now();
      port.write(Buffer.from(ICARUS_GOLDEN_WORK));
    });
  });
}
