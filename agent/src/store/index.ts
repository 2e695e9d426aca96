// The agent's SQLite store: share buffer, events, per-minute history, inventory.
export * from './agent-database.js';
export * from './migrations.js';
export * from './share-store.js';
export * from './event-log.js';
export * from './minute-history.js';
export * from './inventory.js';
export * from './group-commit.js';
