import { createHash } from 'node:crypto';

// node:crypto's OpenSSL SHA-256 measured faster than @noble/hashes here (bench/share-validation).
export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** Double SHA-256, Bitcoin's hash for headers, transactions and merkle nodes. */
export function sha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}
