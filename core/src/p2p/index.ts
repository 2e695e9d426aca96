// Bitcoin P2P: message envelope, message payloads, BIP152 compact blocks (SipHash short ids). No I/O.
export * from './compact-block.js';
export * from './envelope.js';
export * from './header-chain.js';
export * from './messages.js';
export * from './network-magic.js';
export * from './siphash.js';
