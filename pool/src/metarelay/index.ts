export * from './config.js';
export * from './metarelay.js';
export * from './relay-intake.js';
