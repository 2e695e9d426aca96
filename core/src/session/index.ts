// The Stratum V1 session of one miner connection (agent downstream and pool gateway).
export * from './miner-session.js';
export * from './notify-lines.js';
export * from './session-output.js';
export * from './session-stats.js';
export * from './invalid-share-guard.js';
export * from './password-options.js';
export * from './flood-guard.js';
