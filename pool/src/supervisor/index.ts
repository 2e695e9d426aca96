export * from './child-spec.js';
export * from './restart-backoff.js';
export * from './supervisor.js';
export * from './run-supervised.js';
export * from './pool-roles.js';
export * from './run-command.js';
