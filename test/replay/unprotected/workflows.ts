// A bundle of today's workflows *without* the 'session-lanes' patch check: what a deploy that simply
// replaced v1's code would have run. The replay test proves v1 histories break against it.
export { sessionLanes as SessionWorkflow } from '../../../workflows/session/session.js';
export { StageChunkWorkflow as CrawlWorkflow, StageChunkWorkflow as ShowDataWorkflow } from '../../../workflows/children.js';
