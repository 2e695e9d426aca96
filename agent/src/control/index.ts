export * from './server.js';
export * from './types.js';
