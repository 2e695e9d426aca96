// Merged mining: the aux tree, the coinbase commitment, and the AuxPoW proof. No I/O.
export * from './aux-tree.js';
export * from './auxpow.js';
