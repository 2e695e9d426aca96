// The four bytes that start every P2P message on each network (Bitcoin Core's pchMessageStart).
import type { Network } from '../bitcoin/index.js';

export const NETWORK_MAGIC: Record<Network, Uint8Array> = {
  mainnet: Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9),
  testnet: Uint8Array.of(0x0b, 0x11, 0x09, 0x07),
  signet: Uint8Array.of(0x0a, 0x03, 0xcf, 0x40),
  regtest: Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda),
};
