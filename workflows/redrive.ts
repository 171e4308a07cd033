// RedriveWorkflow: re-runs a session's dead-lettered shows and rebuilds its report. Started by
// signal-with-start (from the API or `temporal workflow signal-with-start … --signal-name redrive`);
// signals that arrive while it works trigger one more pass, so repeated re-drives coalesce.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { BACKGROUND_RETRY, CHUNK_ACTIVITY_TIMEOUTS, type RedriveInput, type RedriveOutcome, type RedriveWorkflowType, chunkRetryPolicy, redriveSignal } from '../src/contracts/index.js';
import { runByActivity, runShowPipeline } from './showPipeline.js';

const { listFailedShows, resolveFailedShows, buildReport } = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: BACKGROUND_RETRY });

export async function RedriveWorkflow(input: RedriveInput): Promise<RedriveOutcome> {
  const stages = runByActivity(proxyActivities<Activities>({ ...CHUNK_ACTIVITY_TIMEOUTS, retry: chunkRetryPolicy(input.retry) }));
  let requested = 0;
  setHandler(redriveSignal, () => void requested++);
  const outcome: RedriveOutcome = { passes: 0, resolved: 0, remaining: 0 };
  await condition(() => requested > 0);
  while (requested > 0) {
    requested = 0;
    outcome.passes++;
    // Each stage takes its own dead letters and what the stage it needs matches again.
    const failed = await listFailedShows({ sessionId: input.sessionId });
    await runShowPipeline(stages, { sessionId: input.sessionId, showCacheTtlMs: input.showCacheTtlMs, retry: input.retry }, { start: failed });
    const { resolved, remaining } = await resolveFailedShows({ sessionId: input.sessionId });
    outcome.resolved += resolved;
    outcome.remaining = remaining;
    await buildReport({ sessionId: input.sessionId, crawlComplete: remaining === 0 });
  }
  return outcome;
}
RedriveWorkflow satisfies RedriveWorkflowType;
