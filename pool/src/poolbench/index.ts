export * from './config.js';
export * from './poolbench.js';
export * from './tip-vote.js';
