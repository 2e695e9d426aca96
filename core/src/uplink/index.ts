// Uplink frame layer: CRC-32C framed binary messages between agent, gateway and the pool's roles.
export * from './crc32c.js';
export * from './frame.js';
export * from './frame-decoder.js';
