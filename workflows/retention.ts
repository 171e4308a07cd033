// RetentionWorkflow: run by the retention schedule (RETENTION, src/temporal/retention.ts). Forgets
// finished sessions older than the retention period, a few at a time, each as a ForgetWorkflow child
// with the id an API request would use, so a forget already under way is joined, not repeated.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, executeChild, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { BACKGROUND_RETRY, type RetentionInput, type RetentionOutcome, type RetentionWorkflowType, forgetWorkflowId } from '../src/contracts/index.js';
import { ForgetWorkflow } from './forget.js';

const PARALLEL_FORGETS = 4;

const { listExpiredSessions } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: BACKGROUND_RETRY });

export async function RetentionWorkflow({ retentionMs, batch = 200 }: RetentionInput): Promise<RetentionOutcome> {
  const queue = await listExpiredSessions({ retentionMs, limit: batch });
  const outcome: RetentionOutcome = { forgotten: 0, failed: 0 };
  const lane = async () => {
    for (let sessionId = queue.shift(); sessionId !== undefined; sessionId = queue.shift()) {
      try {
        await executeChild(ForgetWorkflow, {
          workflowId: forgetWorkflowId(sessionId),
          args: [{ sessionId, requestedBy: 'retention' }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        outcome.forgotten++;
      } catch (error) {
        // Already being forgotten (a viewer asked at the same moment): that one finishes the job.
        if (error instanceof WorkflowExecutionAlreadyStartedError) continue;
        outcome.failed++;
        log.warn('retention could not forget a session', { sessionId, error: String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FORGETS }, lane));
  return outcome;
}
RetentionWorkflow satisfies RetentionWorkflowType;
