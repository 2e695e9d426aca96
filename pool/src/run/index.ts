export * from './small-pool-flags.js';
export * from './small-pool-wiring.js';
export * from './small-pool.js';
export * from './node-network.js';
