export * from './farm-stats.js';
