export * from './notify-message.js';
export * from './watchdog-settings.js';
export * from './service-notifier.js';
