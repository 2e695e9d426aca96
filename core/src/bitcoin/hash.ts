import { hash } from 'node:crypto';

// node:crypto's one-shot hash measured fastest here (bench/share-validation compares it with @noble/hashes).
export function sha256(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer');
}

/** Double SHA-256, Bitcoin's hash for headers, transactions and merkle nodes. */
export function sha256d(data: Uint8Array): Uint8Array {
  return hash('sha256', hash('sha256', data, 'buffer'), 'buffer');
}
