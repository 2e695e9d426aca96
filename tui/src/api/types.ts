// The control API's types live in core, shared with the agent that serves them.
export * from '@farmhand/core/control-api';
