export * from './sd-notify.js';
