// Reads a session's workflow histories (every run of the session, every chunk child) to tell what
// became of the activity attempts one worker process had started: finished, failed, or abandoned to
// a timeout.
import type { Client } from '@temporalio/client';
import { crawlWorkflowId, showDataWorkflowId } from '../../../workflows/messages.js';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

const timeMs = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

/** Every run of the session (following continue-as-new) and every chunk child that exists. */
export async function sessionHistories(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const histories: History[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  const fetchOrUndefined = (id: string) => client.workflow.getHandle(id).fetchHistory().catch(() => undefined);
  // Chunk numbers are dense from 0 for show data; a chunk with no TMDB match has no crawl child.
  for (let chunk = 0; ; chunk++) {
    const showData = await fetchOrUndefined(showDataWorkflowId(workflowId, chunk));
    if (!showData) break;
    histories.push(showData);
    const crawl = await fetchOrUndefined(crawlWorkflowId(workflowId, chunk));
    if (crawl) histories.push(crawl);
  }
  return histories;
}

export interface AttemptTally {
  /** Attempts started by the identity. */
  started: number;
  completed: number;
  /** Failed or cancelled by the worker itself (e.g. cut short at the end of the grace time). */
  failed: number;
  /** Left running: only a timeout ended them. */
  timedOut: number;
  /** Started after `sinceMs` (a worker that stopped polling starts none). */
  startedAfter: number;
  /** Closed (any way) after `sinceMs`: the ones in flight at that moment. */
  closedAfter: number;
  failures: string[];
}

/** What became of every activity attempt `identity` started. */
export function tallyAttempts(histories: History[], identity: string, sinceMs: number): AttemptTally {
  const tally: AttemptTally = { started: 0, completed: 0, failed: 0, timedOut: 0, startedAfter: 0, closedAfter: 0, failures: [] };
  for (const history of histories) {
    const events = history.events ?? [];
    const startedBy = new Map<string, HistoryEvent>();
    for (const e of events) {
      const a = e.activityTaskStartedEventAttributes;
      if (a?.identity === identity) {
        startedBy.set(String(e.eventId), e);
        tally.started++;
        if (timeMs(e) > sinceMs) tally.startedAfter++;
      }
    }
    for (const e of events) {
      const closing =
        e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
      if (!closing || !startedBy.has(String(closing.startedEventId))) continue;
      if (timeMs(e) > sinceMs) tally.closedAfter++;
      if (e.activityTaskCompletedEventAttributes) tally.completed++;
      else if (e.activityTaskTimedOutEventAttributes) tally.timedOut++;
      else {
        tally.failed++;
        const failure = e.activityTaskFailedEventAttributes?.failure?.message ?? 'cancelled';
        if (tally.failures.length < 5) tally.failures.push(failure);
      }
    }
  }
  return tally;
}
