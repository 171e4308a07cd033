// The chunk children. Each handles one chunk of a session's shows with a single batched activity
// (one action instead of one per show), then signals the session by workflow id. They are started
// with ABANDON, so the session's continue-as-new does not kill them.
import { ActivityFailure, ApplicationFailure, getExternalWorkflowHandle, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { CHUNK_ACTIVITY_TIMEOUTS, type ChunkCrawled, type ChunkEnriched, type ChunkInput, type CrawlWorkflowType, DEFAULT_CHUNK_RETRY, type ShowDataWorkflowType, PERMANENT_ERROR_TYPES, chunkCrawledSignal, chunkEnrichedSignal, chunkRetryPolicy } from '../src/contracts/index.js';

/** The chunk's activities, retried as long as the session's settings say (carried in the chunk's input). */
function chunkActivities(input: ChunkInput) {
  return proxyActivities<Activities>({ ...CHUNK_ACTIVITY_TIMEOUTS, retry: chunkRetryPolicy(input.retry) });
}

/** Signals the session; if it has already finished (e.g. completed at 97%), the news is not needed. */
async function report<T>(parentWorkflowId: string, send: (handle: ReturnType<typeof getExternalWorkflowHandle>) => Promise<T>) {
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

export async function ShowDataWorkflow(input: ChunkInput): Promise<ChunkEnriched> {
  const { enrichShows, markChunkFailed } = chunkActivities(input);
  const attempts = (input.retry ?? DEFAULT_CHUNK_RETRY).maximumAttempts;
  let result: ChunkEnriched;
  try {
    const outcome = await enrichShows(input);
    result = { chunk: input.chunk, ...outcome };
  } catch (error) {
    if (isCancellation(error)) throw error;
    // Retries ran out: the chunk's unfinished shows count as done-and-failed so the session still
    // completes, unless the failure is session-wide (a rejected key): that fails the session with its reason.
    const fatal = permanentReason(error);
    const writeOff = await markChunkFailed({ sessionId: input.sessionId, stage: 'showData', showIds: input.showIds, reason: (error as Error).message, attempts });
    // (Histories from before the write-off was returned hold no result here: everything failed.)
    const failed = writeOff?.failedShowIds.length ?? input.showIds.length;
    result = { chunk: input.chunk, done: input.showIds.length, failed, matchedShowIds: writeOff?.matchedShowIds ?? [], fatal };
  }
  await report(input.parentWorkflowId, (h) => h.signal(chunkEnrichedSignal, result));
  return result;
}
ShowDataWorkflow satisfies ShowDataWorkflowType;

export async function CrawlWorkflow(input: ChunkInput): Promise<ChunkCrawled> {
  const { crawlShows, markChunkFailed } = chunkActivities(input);
  const attempts = (input.retry ?? DEFAULT_CHUNK_RETRY).maximumAttempts;
  let result: ChunkCrawled;
  try {
    const outcome = await crawlShows(input);
    result = { chunk: input.chunk, done: outcome.done, failed: outcome.failed };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const writeOff = await markChunkFailed({ sessionId: input.sessionId, stage: 'crawl', showIds: input.showIds, reason: (error as Error).message, attempts });
    // No crawl failure is session-wide (RT's and Wikidata's are per show), so there is no fatal here.
    result = { chunk: input.chunk, done: input.showIds.length, failed: writeOff?.failedShowIds.length ?? input.showIds.length };
  }
  await report(input.parentWorkflowId, (h) => h.signal(chunkCrawledSignal, result));
  return result;
}
CrawlWorkflow satisfies CrawlWorkflowType;
