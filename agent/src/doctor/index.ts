// `farmhand doctor`: checks an installed or running appliance and says what to fix (docs/doctor.md).
export * from './check-result.js';
export * from './agent-probe.js';
export * from './config-check.js';
export * from './port-check.js';
export * from './socket-owner.js';
export * from './data-dir-check.js';
export * from './clock-check.js';
export * from './upstream-check.js';
export * from './systemd-check.js';
export * from './doctor.js';
