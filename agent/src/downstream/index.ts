// The Stratum V1 server for the farm's miners.
export * from './stratum-server.js';
export * from './server-options.js';
export * from './server-events.js';
export * from './miner-connection.js';
