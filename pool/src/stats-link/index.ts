export * from './stats-spool.js';
export * from './stats-sender.js';
