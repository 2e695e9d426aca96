// Upstreams: the uplink to a gateway, a plain Stratum V1 pool, and the priority set over them.
export * from './share-record.js';
export * from './upstream.js';
export * from './upstream-url.js';
export * from './backoff.js';
export * from './stratum-upstream.js';
export * from './uplink-batches.js';
export * from './uplink-client.js';
export * from './upstream-set.js';
