// The chunk children: one per chunk and stage. Each runs its chunk through its stage with a single
// batched activity (one action instead of one per show), then signals the session by workflow id.
// They are started with ABANDON, so the session's continue-as-new does not kill them. One function
// serves every stage; the stage is the input's, or (children started before it was) the row whose
// workflow type this is.
import { ActivityFailure, ApplicationFailure, getExternalWorkflowHandle, isCancellation, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  CHUNK_ACTIVITY_TIMEOUTS,
  type ChunkInput,
  type ChunkReport,
  DEFAULT_CHUNK_RETRY,
  PERMANENT_ERROR_TYPES,
  STAGES,
  type StageChunkWorkflowType,
  chunkRetryPolicy,
  stageRow,
  stageSignal,
} from '../src/contracts/index.js';
import { runByActivity, stageReport } from './showPipeline.js';

/** Signals the session; if it has already finished (e.g. completed at 97%), the news is not needed. */
async function report(parentWorkflowId: string, send: (handle: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>) {
  try {
    await send(getExternalWorkflowHandle(parentWorkflowId));
  } catch (error) {
    log.warn('session no longer accepts chunk reports', { parentWorkflowId, error: (error as Error).message });
  }
}

function permanentReason(error: unknown): string | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? '';
    if ((PERMANENT_ERROR_TYPES as readonly string[]).includes(type)) return error.cause.message;
  }
  return undefined;
}

function rowOf(input: ChunkInput) {
  if (input.stage) return stageRow(input.stage);
  const type = workflowInfo().workflowType;
  const row = STAGES.find((r) => r.workflowType === type);
  if (!row) throw ApplicationFailure.nonRetryable(`no pipeline stage runs in ${type}`);
  return row;
}

export async function StageChunkWorkflow(input: ChunkInput): Promise<ChunkReport> {
  const row = rowOf(input);
  // Retried as long as the session's settings say (carried in the chunk's input).
  const activities = proxyActivities<Activities>({ ...CHUNK_ACTIVITY_TIMEOUTS, retry: chunkRetryPolicy(input.retry) });
  const attempts = (input.retry ?? DEFAULT_CHUNK_RETRY).maximumAttempts;
  let result: ChunkReport;
  try {
    const outcome = await runByActivity(activities)(row, input);
    result = { chunk: input.chunk, ...stageReport(row, outcome, input.showIds) };
  } catch (error) {
    if (isCancellation(error)) throw error;
    // Retries ran out: the chunk's unfinished shows count as done-and-failed so the session still
    // completes, unless the failure is session-wide (a rejected key): that fails the session with its reason.
    const fatal = permanentReason(error);
    const writeOff = await activities.markChunkFailed({ sessionId: input.sessionId, stage: row.name, showIds: input.showIds, reason: (error as Error).message, attempts });
    // (Histories from before the write-off was returned hold no result here: everything failed.)
    const failed = writeOff?.failedShowIds.length ?? input.showIds.length;
    const outcome = { done: input.showIds.length, failed, matchedShowIds: writeOff?.matchedShowIds ?? [] };
    result = { chunk: input.chunk, ...stageReport(row, outcome, input.showIds), ...(fatal ? { fatal } : {}) };
  }
  await report(input.parentWorkflowId, (h) => h.signal(stageSignal(row), result));
  return result;
}
StageChunkWorkflow satisfies StageChunkWorkflowType;
