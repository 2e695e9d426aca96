export * from './sd-notify.js';
export * from './role-config.js';
