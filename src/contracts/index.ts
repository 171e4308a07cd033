// showprint's contracts: everything the workflows, activities, API, CLI and operators share —
// inputs and outputs, messages, workflow ids and types, error type names, retry policies and
// session states. Workflow-safe: no I/O and no Node built-ins.
export * from './catalog.js';
export * from './chunks.js';
export * from './errors.js';
export * from './messages.js';
export * from './pipeline.js';
export * from './privacy.js';
export * from './retry.js';
export * from './session.js';
export * from './stages.js';
export * from './workflows.js';
