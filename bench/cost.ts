// Temporal cost of one session, counted from the exported histories of every run of the session
// workflow and of every child, by DESIGN §3's action rules.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { sleep } from './infra.js';

export interface ActionCounts {
  /** WorkflowExecutionStarted of each session run (first run and every continue-as-new). */
  workflowStarts: number;
  /** StartChildWorkflowExecutionInitiated × 2 (the child's own start is not counted again). */
  childStarts: number;
  /** Sum of the `attempt` of every ActivityTaskStarted (an activity that succeeded on attempt 3 cost 3). */
  activityAttempts: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
  queries: number;
  /** Estimate, not in history: 1 + ⌊duration / 48 s⌋ per activity that declares a heartbeat timeout. */
  heartbeatsEstimated: number;
  total: number;
}

export interface ActivityTypeStats {
  count: number;
  attempts: number;
  meanScheduleToStartMs: number;
  meanStartToCloseMs: number;
  maxStartToCloseMs: number;
}

export interface SessionCost {
  actions: ActionCounts;
  /** Activity executions (not attempts). */
  activities: number;
  runs: number;
  children: number;
  largestRun: { workflowId: string; runId: string; events: number; jsonBytes: number; serverBytes: number | null };
  byActivity: Record<string, ActivityTypeStats>;
  /** Executions still running when counting gave up waiting (their later events are missing). */
  stillRunning: number;
  /** Signals children sent to a session that had already closed (billed by the sender's side, not counted above). */
  failedSignals: number;
  listedBy: 'STARTS_WITH' | 'TaskQueue';
}

/**
 * Where a session's time went (--timeline): one line per activity, child and workflow task of its
 * runs and children, in ms from the session's start. Scheduled→started is queueing (a slot, a poller,
 * the server's matching); started→closed is the work.
 */
export interface TimelineEntry {
  execution: string;
  kind: 'activity' | 'workflow task' | 'child' | 'signal';
  name: string;
  scheduledMs: number;
  startedMs: number | null;
  closedMs: number | null;
}

type Json = Record<string, unknown>;
interface HistoryEvent extends Json {
  eventId: string;
  eventTime: string;
  eventType: string;
}

/** `EVENT_TYPE_ACTIVITY_TASK_STARTED` and `ActivityTaskStarted` both become `activitytaskstarted`. */
const norm = (t: string) => t.replace(/^EVENT_TYPE_/, '').replace(/_/g, '').toLowerCase();
const ms = (d: unknown): number => {
  if (typeof d === 'string') return Number(d.replace(/s$/, '')) * 1000;
  if (d && typeof d === 'object' && 'seconds' in d) return Number((d as { seconds: unknown }).seconds) * 1000;
  return 0;
};

/** Lists the session's executions: every run of its workflow id and every child (ids derived from it). */
export async function listSessionExecutions(client: Client, workflowId: string, taskQueue: string): Promise<{ executions: WorkflowExecutionInfo[]; listedBy: SessionCost['listedBy'] }> {
  const collect = async (query: string) => {
    const out: WorkflowExecutionInfo[] = [];
    for await (const info of client.workflow.list({ query })) out.push(info);
    return out;
  };
  const ours = (info: WorkflowExecutionInfo) => info.workflowId === workflowId || info.workflowId.startsWith(`${workflowId}/`);
  try {
    return { executions: (await collect(`WorkflowId STARTS_WITH "${workflowId}"`)).filter(ours), listedBy: 'STARTS_WITH' };
  } catch {
    // Older visibility stores lack STARTS_WITH: every bench scenario has its own task queue.
    return { executions: (await collect(`TaskQueue = "${taskQueue}"`)).filter(ours), listedBy: 'TaskQueue' };
  }
}

/** Waits (bounded) until every execution of the session is closed: late children still add actions. */
export async function waitSessionClosed(client: Client, workflowId: string, taskQueue: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { executions } = await listSessionExecutions(client, workflowId, taskQueue);
    const running = executions.filter((e) => e.status.name === 'RUNNING').length;
    if (running === 0 || Date.now() > deadline) return running;
    await sleep(500);
  }
}

export async function sessionCost(client: Client, workflowId: string, taskQueue: string, queries: number, timeline?: TimelineEntry[]): Promise<SessionCost> {
  const { executions, listedBy } = await listSessionExecutions(client, workflowId, taskQueue);
  const actions: ActionCounts = {
    workflowStarts: 0,
    childStarts: 0,
    activityAttempts: 0,
    timers: 0,
    signals: 0,
    searchAttributeUpserts: 0,
    queries,
    heartbeatsEstimated: 0,
    total: 0,
  };
  const byActivity = new Map<string, { count: number; attempts: number; s2s: number; s2c: number; max: number }>();
  let activities = 0;
  let failedSignals = 0;
  let largest: SessionCost['largestRun'] = { workflowId, runId: '', events: 0, jsonBytes: 0, serverBytes: null };
  let runs = 0;
  let children = 0;

  for (const info of executions) {
    const isChild = info.workflowId !== workflowId;
    if (isChild) children++;
    else runs++;
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    const json = historyToJSON(history);
    const events = (JSON.parse(json) as { events: HistoryEvent[] }).events;
    if (events.length > largest.events) {
      largest = { workflowId: info.workflowId, runId: info.runId, events: events.length, jsonBytes: Buffer.byteLength(json), serverBytes: info.historySize ?? null };
    }

    const scheduled = new Map<string, { type: string; heartbeatMs: number; at: number }>();
    const started = new Map<string, { at: number; attempt: number }>();
    const execution = isChild ? info.workflowId.slice(workflowId.length + 1) : `session run ${runs}`;
    if (timeline) timeline.push(...timelineOf(execution, events));
    for (const e of events) {
      const attrs = (key: string) => (e[key] ?? {}) as Json;
      const at = Date.parse(e.eventTime);
      switch (norm(e.eventType)) {
        case 'workflowexecutionstarted':
          if (!isChild) actions.workflowStarts++;
          break;
        case 'startchildworkflowexecutioninitiated':
          actions.childStarts += 2;
          break;
        case 'timerstarted':
          actions.timers++;
          break;
        case 'workflowexecutionsignaled':
          actions.signals++;
          break;
        case 'upsertworkflowsearchattributes':
          actions.searchAttributeUpserts++;
          break;
        case 'signalexternalworkflowexecutionfailed':
          failedSignals++;
          break;
        case 'activitytaskscheduled': {
          const a = attrs('activityTaskScheduledEventAttributes');
          const type = String((a.activityType as Json | undefined)?.name ?? '?');
          scheduled.set(e.eventId, { type, heartbeatMs: ms(a.heartbeatTimeout), at });
          activities++;
          break;
        }
        case 'activitytaskstarted': {
          const a = attrs('activityTaskStartedEventAttributes');
          const attempt = Number(a.attempt ?? 1);
          actions.activityAttempts += attempt;
          started.set(String(a.scheduledEventId), { at, attempt });
          break;
        }
        case 'activitytaskcompleted':
        case 'activitytaskfailed':
        case 'activitytasktimedout':
        case 'activitytaskcanceled': {
          const key = Object.keys(e).find((k) => k.startsWith('activityTask') && k.endsWith('EventAttributes'));
          const scheduledId = String((key ? (e[key] as Json) : {}).scheduledEventId ?? '');
          const s = scheduled.get(scheduledId);
          const st = started.get(scheduledId);
          if (!s || !st) break;
          const duration = at - st.at;
          // The SDK throttles heartbeats to 80% of the heartbeat timeout; the first one goes out at once.
          if (s.heartbeatMs > 0) actions.heartbeatsEstimated += 1 + Math.floor(duration / (0.8 * s.heartbeatMs));
          const stats = byActivity.get(s.type) ?? { count: 0, attempts: 0, s2s: 0, s2c: 0, max: 0 };
          stats.count++;
          stats.attempts += st.attempt;
          stats.s2s += st.at - s.at;
          stats.s2c += duration;
          stats.max = Math.max(stats.max, duration);
          byActivity.set(s.type, stats);
          break;
        }
      }
    }
  }
  actions.total =
    actions.workflowStarts + actions.childStarts + actions.activityAttempts + actions.timers + actions.signals + actions.searchAttributeUpserts + actions.queries + actions.heartbeatsEstimated;
  return {
    actions,
    activities,
    runs,
    children,
    largestRun: largest,
    byActivity: Object.fromEntries(
      [...byActivity].map(([type, s]) => [
        type,
        { count: s.count, attempts: s.attempts, meanScheduleToStartMs: Math.round(s.s2s / s.count), meanStartToCloseMs: Math.round(s.s2c / s.count), maxStartToCloseMs: s.max },
      ]),
    ),
    stillRunning: executions.filter((e) => e.status.name === 'RUNNING').length,
    failedSignals,
    listedBy,
  };
}

/** One execution's activities, workflow tasks, child starts and received signals, in absolute ms (the caller rebases them). */
function timelineOf(execution: string, events: HistoryEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const open = new Map<string, TimelineEntry>();
  const byScheduled = (e: HistoryEvent) => {
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
    const a = (key ? e[key] : {}) as Json;
    return open.get(String(a.scheduledEventId ?? a.initiatedEventId ?? ''));
  };
  for (const e of events) {
    const at = Date.parse(e.eventTime);
    const type = norm(e.eventType);
    if (type === 'activitytaskscheduled' || type === 'workflowtaskscheduled' || type === 'startchildworkflowexecutioninitiated') {
      const a = (e.activityTaskScheduledEventAttributes ?? e.startChildWorkflowExecutionInitiatedEventAttributes ?? {}) as Json;
      const name = type === 'workflowtaskscheduled' ? '' : type === 'activitytaskscheduled' ? String((a.activityType as Json | undefined)?.name ?? '?') : String(a.workflowId ?? '?').split('/').slice(-2).join('/');
      const entry: TimelineEntry = { execution, kind: type === 'activitytaskscheduled' ? 'activity' : type === 'workflowtaskscheduled' ? 'workflow task' : 'child', name, scheduledMs: at, startedMs: null, closedMs: null };
      open.set(e.eventId, entry);
      out.push(entry);
    } else if (type === 'activitytaskstarted' || type === 'workflowtaskstarted' || type === 'childworkflowexecutionstarted') {
      const entry = byScheduled(e);
      if (entry) entry.startedMs = at;
    } else if (/^(activitytask|workflowtask|childworkflowexecution)(completed|failed|timedout|canceled|terminated)$/.test(type)) {
      const entry = byScheduled(e);
      if (entry) entry.closedMs = at;
    } else if (type === 'workflowexecutionsignaled') {
      const a = (e.workflowExecutionSignaledEventAttributes ?? {}) as Json;
      out.push({ execution, kind: 'signal', name: String(a.signalName ?? '?'), scheduledMs: at, startedMs: at, closedMs: at });
    }
  }
  return out;
}

/** The timeline as text, in ms from `originMs`, ordered by when each entry was scheduled. */
export function formatTimeline(entries: TimelineEntry[], originMs: number): string {
  const rel = (ms: number | null) => (ms === null ? '      -' : String(ms - originMs).padStart(7));
  const lines = [...entries]
    .sort((a, b) => a.scheduledMs - b.scheduledMs)
    .map((t) => {
      const queued = t.startedMs === null ? '-' : String(t.startedMs - t.scheduledMs);
      const work = t.startedMs === null || t.closedMs === null ? '-' : String(t.closedMs - t.startedMs);
      return `${rel(t.scheduledMs)} ${rel(t.startedMs)} ${rel(t.closedMs)}  queued ${queued.padStart(5)}  work ${work.padStart(6)}  ${t.execution.padEnd(16)} ${t.kind} ${t.name}`;
    });
  const wft = entries.filter((t) => t.kind === 'workflow task' && t.startedMs !== null && t.closedMs !== null);
  const sum = (f: (t: TimelineEntry) => number) => wft.reduce((n, t) => n + f(t), 0);
  const summary = `workflow tasks: ${wft.length}, queued ${sum((t) => t.startedMs! - t.scheduledMs)} ms in all (max ${Math.max(0, ...wft.map((t) => t.startedMs! - t.scheduledMs))}), ran ${sum((t) => t.closedMs! - t.startedMs!)} ms in all`;
  return ['scheduled started  closed (ms from the session start)', ...lines, summary, ''].join('\n');
}
