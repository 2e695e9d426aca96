export * from './agent-config.js';
