import { createHmac, timingSafeEqual } from 'node:crypto';

// AUTH proof: HMAC-SHA256 keyed with the agent's token over the gateway's 32-byte challenge followed
// by the agent id's UTF-8 bytes. The token never crosses the wire, and a proof replayed on another
// connection fails because each connection gets a fresh challenge. (node:crypto here is pure computation.)

export function authProof(token: string, challenge: Uint8Array, agentId: string): Uint8Array {
  const mac = createHmac('sha256', token);
  mac.update(challenge);
  mac.update(agentId, 'utf8');
  return new Uint8Array(mac.digest());
}

/** Constant-time comparison of a received proof with the expected one. */
export function verifyAuthProof(
  token: string,
  challenge: Uint8Array,
  agentId: string,
  proof: Uint8Array,
): boolean {
  const want = authProof(token, challenge, agentId);
  return proof.length === want.length && timingSafeEqual(proof, want);
}
