// USB and serial miners the agent drives itself (docs/serial-miners.md, docs/icarus.md).
export * from './serial-config.js';
export * from './serial-service.js';
export * from './icarus-work.js';
export * from './icarus-probe.js';
export * from './icarus-driver.js';
export * from './host-miner.js';
export * from './usb-inventory.js';
export * from './usb-profile.js';
