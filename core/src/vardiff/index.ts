export * from './vardiff.js';
