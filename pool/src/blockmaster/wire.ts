// Block relay frames between jobmaster, blockmasters and bitpeers (docs/blockmaster.md). They travel
// as uplink frames (core/uplink) with binary bodies: blocks are big, so no JSON or hex here.
import { encodeFrame } from '@farmhand/core/uplink';

export const BlockFrame = {
  /** raw block: to a bitpeer (broadcast it) or a blockmaster (relay it). */
  SUBMIT_BLOCK: 0x50,
  /** raw block seen on the P2P network: bitpeer → blockmaster. */
  UPDATE_BLOCK: 0x51,
  /** a BIP152 cmpctblock payload: blockmaster → peer blockmaster. */
  THIN_BLOCK: 0x52,
  /** a BIP152 getblocktxn payload: the receiver asks for what its mempool lacks. */
  GET_THIN_TXS: 0x53,
  /** a BIP152 blocktxn payload: the answer. */
  THIN_TXS: 0x54,
  /** empty: "send me your blocks" (a blockmaster to a bitpeer or a peer blockmaster). */
  HELLO: 0x55,
} as const;

/** Largest block frame accepted: a 4 MB block plus room. */
export const MAX_BLOCK_FRAME = 4_500_000;

export function blockFrame(type: number, seq: number, body: Uint8Array): Uint8Array {
  return encodeFrame({ type, seq, body });
}
