export * from './records.js';
export * from './batch-parser.js';
export * from './minute-aggregator.js';
export * from './stats-link.js';
