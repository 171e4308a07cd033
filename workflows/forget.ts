// ForgetWorkflow: erases one session, the Temporal way. Started by DELETE /api/sessions/:id,
// `showprint forget <id>` and the retention schedule; its id (forget-<sessionId>) makes a second
// request join the first. Steps, each idempotent: stop refreshes, close the session's workflows,
// delete its rows, then destroy its payload key so its histories can never be read again.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ERASURE_RETRY, type ForgetInput, type ForgetReceipt, type ForgetWorkflowType } from '../src/contracts/index.js';

/** How long running workflows get to close after their cancel before they are terminated. */
const CANCEL_GRACE_MS = 20_000;

const { deleteRefreshSchedule, eraseSessionRows, destroySessionKey } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: ERASURE_RETRY });
const { closeSessionWorkflows } = proxyActivities<Activities>({ startToCloseTimeout: '2m', heartbeatTimeout: '15s', retry: ERASURE_RETRY });

export async function ForgetWorkflow({ sessionId, requestedBy, operatorKeyId }: ForgetInput): Promise<ForgetReceipt> {
  // First the schedule, so no refresh starts while the rest goes.
  const scheduleDeleted = await deleteRefreshSchedule({ sessionId });
  // Then the workflows, so nothing writes rows after they are deleted.
  const workflowsClosed = await closeSessionWorkflows({ sessionId, graceMs: CANCEL_GRACE_MS });
  const rowsDeleted = await eraseSessionRows({ sessionId });
  // Last the key: until here a retry could still need to read the session's payloads.
  const { keyIds, erasedAt } = await destroySessionKey({ sessionId });
  // A last sweep, for an activity attempt that was already in flight when its workflow closed.
  for (const [table, n] of Object.entries(await eraseSessionRows({ sessionId }))) rowsDeleted[table] = (rowsDeleted[table] ?? 0) + n;
  return {
    sessionId,
    requestedBy,
    ...(operatorKeyId ? { operatorKeyId } : {}),
    erasedAt,
    keyIds,
    rowsDeleted,
    workflowsClosed,
    scheduleDeleted,
    kept: [
      'the shared show catalogue (shows, cast, genres, scores): it holds no viewer data',
      "the session's workflow histories until the namespace's retention removes them, encrypted with the destroyed key: unreadable",
      'a tombstone with the destroyed key id and a one-way digest of the session id, so the id cannot be reused',
    ],
  };
}
ForgetWorkflow satisfies ForgetWorkflowType;
