// Stratum V1: line framing, the JSON-RPC envelope, typed messages, encoders and session rules.
export * from './line-decoder.js';
export * from './message.js';
export * from './client-methods.js';
export * from './server-methods.js';
export * from './encode.js';
export * from './error-codes.js';
export * from './job.js';
export * from './hex.js';
export * from './version-rolling.js';
export * from './extranonce.js';
export * from './worker-name.js';
