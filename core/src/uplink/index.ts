// Uplink: CRC-32C framed binary messages between agent, gateway and the pool's roles.
export * from './crc32c.js';
export * from './frame.js';
export * from './frame-decoder.js';
export * from './message-types.js';
export * from './messages.js';
export * from './auth-proof.js';
export * from './job-message.js';
