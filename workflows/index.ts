// The worker's workflowsPath: every workflow type showprint registers.
export { SessionWorkflow } from './session/session.js';
// Every stage's chunk child is one function; the first two stages' types keep their historical names.
export { StageChunkWorkflow, StageChunkWorkflow as ShowDataWorkflow, StageChunkWorkflow as CrawlWorkflow } from './children.js';
export { RedriveWorkflow } from './redrive.js';
export { RefreshWorkflow } from './refresh.js';
export { ForgetWorkflow } from './forget.js';
export { RetentionWorkflow } from './retention.js';
export { CatalogCrawlWorkflow } from './catalog.js';
export { BlendWorkflow } from './blend.js';
