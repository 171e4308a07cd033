// What became of the activity attempts running at a given moment (e.g. a SIGTERM): read from the
// session's workflow histories once it is over. Temporal writes only an activity's last attempt to
// history, so an attempt that was cut short or abandoned shows as a later attempt (with the earlier
// attempt's failure as `lastFailure`), not as a failure event.
import type { Client } from '@temporalio/client';
import { STAGES, stageWorkflowId } from '../../../src/contracts/index.js';

type Handle = ReturnType<Client['workflow']['getHandle']>;
type History = Awaited<ReturnType<Handle['fetchHistory']>>;

export interface RunHistory {
  workflowId: string;
  runId: string;
  history: History;
}

/** The session (every run, following continue-as-new) and every chunk child that exists. */
export async function sessionHistories(client: Client, workflowId: string, firstRunId: string): Promise<RunHistory[]> {
  const histories: RunHistory[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push({ workflowId, runId, history });
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  for (const id of await chunkWorkflowIds(client, workflowId)) {
    const d = await client.workflow.getHandle(id).describe();
    histories.push({ workflowId: id, runId: d.runId, history: await client.workflow.getHandle(id, d.runId).fetchHistory() });
  }
  return histories;
}

/** Chunk numbers are dense from 0 for the first stage; a later stage has no child for a chunk none of whose shows reached it. */
async function chunkWorkflowIds(client: Client, workflowId: string): Promise<string[]> {
  const exists = (id: string) => client.workflow.getHandle(id).describe().then(() => true, () => false);
  const [first, ...rest] = STAGES;
  const ids: string[] = [];
  for (let chunk = 0; await exists(stageWorkflowId(workflowId, first!, chunk)); chunk++) {
    ids.push(stageWorkflowId(workflowId, first!, chunk));
    for (const row of rest) if (await exists(stageWorkflowId(workflowId, row, chunk))) ids.push(stageWorkflowId(workflowId, row, chunk));
  }
  return ids;
}

/** An activity attempt running at some moment (see waitForActivitiesOn in pending.ts). */
export interface RunningActivity {
  workflowId: string;
  runId: string;
  activityId: string;
  activityType: string;
  attempt: number;
  identity: string;
}

export interface Fates {
  /** Finished by the attempt that was running (same attempt, same worker). */
  finished: number;
  /** Ended otherwise and retried: cut short by the worker, or abandoned to a timeout. */
  retried: number;
  /** The failure each retried attempt ended with (e.g. "activity Heartbeat timeout"). */
  reasons: string[];
}

export function fatesOf(histories: RunHistory[], running: RunningActivity[]): Fates {
  const fates: Fates = { finished: 0, retried: 0, reasons: [] };
  for (const r of running) {
    const events = histories.find((h) => h.workflowId === r.workflowId && h.runId === r.runId)?.history.events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === r.activityId);
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === String(scheduled?.eventId));
    const closed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.startedEventId ?? '') === String(started?.eventId));
    const s = started?.activityTaskStartedEventAttributes;
    if (closed && s && s.attempt === r.attempt && s.identity === r.identity) {
      fates.finished++;
    } else {
      fates.retried++;
      fates.reasons.push(`${r.activityType}: ${s?.lastFailure?.message ?? (started ? 'ended without completing' : 'never finished')}`);
    }
  }
  return fates;
}
