export * from './bitpeer.js';
export * from './config.js';
export * from './jobmaster-notifier.js';
export * from './peer-link.js';
