export * from './fake-bitcoind.js';
export * from './fake-chain.js';
export * from './regtest-template.js';
export * from './command.js';
