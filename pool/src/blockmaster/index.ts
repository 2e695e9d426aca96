export * from './blockmaster.js';
export * from './config.js';
export * from './mempool.js';
export * from './wire.js';
