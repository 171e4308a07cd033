// The bench worker's workflowsPath (bench/worker.ts): every workflow the product registers plus the
// two baselines, so the product's bundle (workflows/index.ts) never carries bench-only code.
export * from '../../workflows/index.js';
export { NaiveSessionWorkflow, StagedSessionWorkflow } from './workflows.js';
