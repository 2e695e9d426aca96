// Pool jobs: getblocktemplate → Stratum job, and a winning share → the block to submit.
export * from './job-builder.js';
export * from './found-block.js';
