export * from './config.js';
export * from './gateway.js';
export * from './work-book.js';
export * from './credited-seqs.js';
