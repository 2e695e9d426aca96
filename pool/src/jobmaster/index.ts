export * from './command.js';
export * from './config.js';
export * from './gateway-listener.js';
export * from './job-table.js';
export * from './jobmaster.js';
export * from './template-source.js';
export * from './wire.js';
