// RefreshWorkflow: the recurring analysis. A Temporal Schedule per opted-in session starts it; it
// fetches only activity newer than what is stored, enriches and crawls any new shows, and rebuilds
// the report. Its activities run at the lowest priority, so a refresh backlog never delays a viewer
// who is waiting (interactive sessions start at priority 1, and their activities inherit it).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { BACKGROUND_RETRY, CHUNK_ACTIVITY_TIMEOUTS, type RefreshInput, type RefreshOutcome, type RefreshWorkflowType, REFRESH_PRIORITY, chunkRetryPolicy, firstStage } from '../src/contracts/index.js';
import { runByActivity, runShowPipeline } from './showPipeline.js';

const background = { priority: { priorityKey: REFRESH_PRIORITY }, retry: BACKGROUND_RETRY };
const { fetchNewHistory } = proxyActivities<Activities>({ ...background, startToCloseTimeout: '30m', heartbeatTimeout: '1m' });
const { writeShowQuips, pickTvBff, pickStarSign, buildReport } = proxyActivities<Activities>({ ...background, startToCloseTimeout: '3m' });

export async function RefreshWorkflow(input: RefreshInput): Promise<RefreshOutcome> {
  const { sessionId, settings } = input;
  // Chunk activities retry as a session's do: the activity must know which attempt is its last.
  const stages = runByActivity(proxyActivities<Activities>({ ...background, ...CHUNK_ACTIVITY_TIMEOUTS, retry: chunkRetryPolicy(settings.chunkRetry) }));
  // Seconds since the epoch: unique per refresh, and far above any session's own batch numbers.
  const batch = Math.floor(Date.now() / 1000);
  const fetched = await fetchNewHistory({ sessionId, dataKey: input.dataKey, pageSize: settings.pageSize, batch });
  for (let i = 0; i < fetched.newShowIds.length; i += settings.chunkSize) {
    const showIds = fetched.newShowIds.slice(i, i + settings.chunkSize);
    await runShowPipeline(stages, { sessionId, showCacheTtlMs: settings.showCacheTtlMs, retry: settings.chunkRetry }, { start: { [firstStage().name]: showIds } });
  }
  if (fetched.newActivities > 0) {
    await writeShowQuips({ sessionId });
    await pickTvBff({ sessionId });
    await pickStarSign({ sessionId });
  }
  await buildReport({ sessionId, crawlComplete: true });
  return { newActivities: fetched.newActivities, newShows: fetched.newShowIds.length };
}
RefreshWorkflow satisfies RefreshWorkflowType;
