// The farm simulator: simulated ASIC miners that behave like real firmware (see docs/simulator.md).
export * from './farm.js';
export * from './faults.js';
export * from './makes.js';
export type { MinerSnapshot, SimMiner } from './sim-miner.js';
export { ipReportPayload } from './ip-report.js';
export { axeosRecords } from './mdns-responder.js';
export { parseApiRequest } from './cgminer-format.js';
