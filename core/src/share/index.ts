export * from './job.js';
export * from './validator.js';
export * from './verdict.js';
