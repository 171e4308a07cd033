// Waiting for activity attempts to run on a given worker, for as long as the server's own timers say
// it can take — never a fixed guess. After a worker dies (kill -9, a forced exit) its attempts stay
// STARTED on the server until their heartbeat timeout (else start-to-close) fires, then wait out the
// retry interval before they are dispatched again; an attempt in backoff is due at its next-attempt
// time. All of that is in the workflows' pending activities (describe), so the wait's deadline is
// derived from it and moves with it: a wait that outlasts it means the server did not do what it
// said it would, not that the machine was slow to reach a timeout.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { STAGES, stageWorkflowId } from '../../../src/contracts/index.js';
import type { RunningActivity } from './histories.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Handle = ReturnType<Client['workflow']['getHandle']>;
type Description = Awaited<ReturnType<Handle['describe']>>;
type RawPending = NonNullable<Description['raw']['pendingActivities']>[number];
type RawDuration = { seconds?: unknown; nanos?: number | null } | null | undefined;

const SCHEDULED = 1;
const STARTED = 2;
const CANCEL_REQUESTED = 3;

/** What the SDK worker uses unless told otherwise (src/worker/createWorker.ts sets neither). */
const STICKY_SCHEDULE_TO_START_MS = 10_000;
const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;

export interface PendingActivity extends RunningActivity {
  state: number;
  /**
   * The latest time (ms since epoch) the server is due to hand this activity to a poller, or
   * undefined for an attempt a live worker is running (nothing is due until it ends).
   */
  dueMs?: number;
  /** Why it is due then, for messages. */
  why: string;
}

export interface SessionActivities {
  /** Every pending activity of the session's latest run and of its chunk children. */
  pending: PendingActivity[];
  /** Whether the session's latest run is still running (a closed one starts no more activities). */
  open: boolean;
  /** How long one workflow task can take to be retried after a lost worker (its timeout + sticky schedule-to-start). */
  workflowTaskBoundMs: number;
}

function toMs(value: RawDuration): number | undefined {
  if (!value) return undefined;
  const s = value.seconds as number | string | { toNumber(): number } | null | undefined;
  const seconds = s == null ? 0 : typeof s === 'object' ? s.toNumber() : Number(s);
  const ms = seconds * 1000 + (value.nanos ?? 0) / 1e6;
  return ms > 0 ? ms : undefined;
}

/** Retry interval before the attempt after `attempt`, from the activity's retry policy (server defaults otherwise). */
function retryIntervalMs(policy: { initialInterval?: RawDuration; backoffCoefficient?: number | null; maximumInterval?: RawDuration } | null | undefined, attempt: number): number {
  const initial = toMs(policy?.initialInterval) ?? 1_000;
  const coefficient = policy?.backoffCoefficient || 2;
  const maximum = toMs(policy?.maximumInterval) ?? initial * 100;
  return Math.min(initial * coefficient ** Math.max(0, attempt - 1), maximum);
}

/** The activity's timeouts and retry policy: from the pending info, else from its scheduled event. */
async function optionsOf(client: Client, d: Description, a: RawPending, cache: Map<string, RawPending['activityOptions']>): Promise<RawPending['activityOptions']> {
  if (a.activityOptions?.heartbeatTimeout || a.activityOptions?.startToCloseTimeout) return a.activityOptions;
  const key = `${d.workflowId}/${d.runId}/${a.activityId}`;
  if (!cache.has(key)) {
    const history = await client.workflow.getHandle(d.workflowId, d.runId).fetchHistory();
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityId === a.activityId)?.activityTaskScheduledEventAttributes;
    cache.set(key, scheduled ? { heartbeatTimeout: scheduled.heartbeatTimeout, startToCloseTimeout: scheduled.startToCloseTimeout, retryPolicy: scheduled.retryPolicy } : null);
  }
  return cache.get(key);
}

async function toPending(client: Client, d: Description, a: RawPending, livePid: number | undefined, cache: Map<string, RawPending['activityOptions']>, now: number): Promise<PendingActivity> {
  const base = {
    workflowId: d.workflowId,
    runId: d.runId,
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    attempt: a.attempt ?? 1,
    identity: a.lastWorkerIdentity ?? '',
    state: Number(a.state),
  };
  const name = `${base.activityType} ${base.activityId} attempt ${base.attempt} in ${base.workflowId}`;
  if (base.state === SCHEDULED) {
    // A retry is due at its next-attempt time, a first attempt when it was scheduled: fixed points,
    // so an attempt no poller takes does not keep pushing the deadline on.
    const next = toMs(a.nextAttemptScheduleTime as RawDuration);
    const dueMs = next ?? toMs(a.scheduledTime as RawDuration) ?? now;
    return { ...base, dueMs, why: `${name} is ${next ? 'in retry backoff' : 'scheduled'}, due to a poller at ${new Date(dueMs).toISOString()}` };
  }
  if (livePid !== undefined && base.identity.startsWith(`${livePid}@`)) return { ...base, why: `${name} runs on worker ${livePid}` };
  // Started by a worker that is gone: it ends when the server times the attempt out.
  const options = await optionsOf(client, d, a, cache);
  const heartbeatMs = toMs(options?.heartbeatTimeout);
  const startToCloseMs = toMs(options?.startToCloseTimeout);
  const startedAt = toMs(a.lastStartedTime as RawDuration) ?? now;
  const lastSign = Math.max(startedAt, toMs(a.lastHeartbeatTime as RawDuration) ?? 0);
  const expiresAt = toMs(a.expirationTime as RawDuration);
  const timesOut = Math.min(heartbeatMs ? lastSign + heartbeatMs : Infinity, startToCloseMs ? startedAt + startToCloseMs : Infinity, expiresAt ?? Infinity);
  const lastAttempt = (a.maximumAttempts ?? 0) > 0 && base.attempt >= (a.maximumAttempts ?? 0);
  // The last attempt's timeout goes to the workflow, which schedules what follows at once.
  const dueMs = timesOut + (lastAttempt ? 0 : retryIntervalMs(options?.retryPolicy, base.attempt));
  const by = heartbeatMs && lastSign + heartbeatMs === timesOut ? `heartbeat timeout ${heartbeatMs} ms` : `start-to-close ${startToCloseMs} ms`;
  return { ...base, dueMs, why: `${name} on ${base.identity || 'no worker'} times out by ${by}, due again ${new Date(dueMs).toISOString()}` };
}

/**
 * The pending activities of the session's latest run and its chunk children, each described once.
 * Chunk numbers are dense from 0 for show data; a chunk with no TMDB match has no crawl child.
 * `livePid` names the worker whose attempts count as running (no timeout is due for them).
 */
export async function sessionActivities(client: Client, workflowId: string, livePid?: number, cache = new Map<string, RawPending['activityOptions']>()): Promise<SessionActivities> {
  // Only "no such child" ends the enumeration; any other error fails this look (the caller retries).
  const describe = (id: string) =>
    client.workflow
      .getHandle(id)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
  const session = await client.workflow.getHandle(workflowId).describe();
  const descriptions: Description[] = [session];
  for (let chunk = 0; ; chunk++) {
    const [first, ...rest] = await Promise.all(STAGES.map((row) => describe(stageWorkflowId(workflowId, row, chunk))));
    if (!first) break;
    descriptions.push(first, ...rest.filter((d): d is Description => d !== undefined));
  }
  const now = Date.now();
  const pending: PendingActivity[] = [];
  for (const d of descriptions) {
    for (const a of d.raw.pendingActivities ?? []) {
      if (![SCHEDULED, STARTED, CANCEL_REQUESTED].includes(Number(a.state)) || a.paused) continue;
      pending.push(await toPending(client, d, a, livePid, cache, now));
    }
  }
  const workflowTaskMs = toMs(session.raw.executionConfig?.defaultWorkflowTaskTimeout as RawDuration) ?? DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
  return { pending, open: session.status.name === 'RUNNING', workflowTaskBoundMs: workflowTaskMs + STICKY_SCHEDULE_TO_START_MS };
}

export interface WaitForRunningOptions {
  /** Room for the server's timer queue, dispatch and a slow poll on a loaded machine. */
  slackMs?: number;
  intervalMs?: number;
}

/**
 * Waits until the worker with `pid` runs at least one of the session's activity attempts and returns
 * those. Attempts left STARTED by a worker that is gone do not count: they keep nothing busy. While
 * none runs, the deadline is the earliest moment the server is due to dispatch a pending activity
 * again (see PendingActivity.dueMs) plus `slackMs`; with nothing pending at all, one workflow task's
 * retry bound plus `slackMs` (the workflow is between activities). Throws once the session closed.
 */
export async function waitForActivitiesOn(client: Client, workflowId: string, pid: number, options: WaitForRunningOptions = {}): Promise<RunningActivity[]> {
  const { slackMs = 30_000, intervalMs = 100 } = options;
  const cache = new Map<string, RawPending['activityOptions']>();
  const started = Date.now();
  let deadline = started + DEFAULT_WORKFLOW_TASK_TIMEOUT_MS + STICKY_SCHEDULE_TO_START_MS + slackMs;
  let idleSince: number | undefined;
  let last = 'no answer from the server yet';
  let lastError: unknown;
  for (;;) {
    try {
      const { pending, open, workflowTaskBoundMs } = await sessionActivities(client, workflowId, pid, cache);
      const mine = pending.filter((a) => a.state !== SCHEDULED && a.dueMs === undefined);
      if (mine.length > 0) {
        if (Date.now() - started > 5_000) console.log(`activities ran on worker ${pid} after ${Date.now() - started} ms; before that: ${last}`);
        return mine.map(({ workflowId: w, runId, activityId, activityType, attempt, identity }) => ({ workflowId: w, runId, activityId, activityType, attempt, identity }));
      }
      if (!open) throw Object.assign(new Error(`session ${workflowId} closed while waiting for activities on worker ${pid}`), { final: true });
      const now = Date.now();
      if (pending.length > 0) {
        idleSince = undefined;
        const next = pending.reduce((a, b) => (b.dueMs! < a.dueMs! ? b : a));
        deadline = next.dueMs! + slackMs;
        last = `${pending.length} pending, none on worker ${pid}; next due: ${next.why}`;
      } else {
        idleSince ??= now;
        deadline = idleSince + workflowTaskBoundMs + slackMs;
        last = `no activity pending since ${new Date(idleSince).toISOString()}`;
      }
      lastError = undefined;
    } catch (error) {
      if ((error as { final?: boolean }).final) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const err = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`no activity ran on worker ${pid} by the time the server's timers allowed (waited ${Date.now() - started} ms): ${last}${err}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * The latest moment the server is due to act on the session's activities that wait on its timers,
 * not on a live worker: attempts held by a worker that is gone (not `livePid`) until their timeout
 * and retry interval pass, and retries in backoff. Undefined when nothing such is pending.
 */
export async function serverOwes(client: Client, workflowId: string, livePid: number | undefined): Promise<{ dueMs: number; why: string } | undefined> {
  const { pending, open } = await sessionActivities(client, workflowId, livePid);
  if (!open) return undefined;
  const owed = pending.filter((a) => a.dueMs !== undefined);
  if (owed.length === 0) return undefined;
  const last = owed.reduce((a, b) => (b.dueMs! > a.dueMs! ? b : a));
  return { dueMs: last.dueMs!, why: `${owed.length} activities wait on server timers, the last: ${last.why}` };
}

/**
 * For a wait whose budget ran out: a later deadline if the server still owes the session something
 * (see serverOwes) — the budget covers the work, not Temporal's timeouts on top of it — else undefined.
 */
export async function deadlineOwedByServer(client: Client, workflowId: string, livePid: number | undefined, slackMs = 30_000): Promise<number | undefined> {
  const owed = await serverOwes(client, workflowId, livePid).catch(() => undefined);
  if (!owed || owed.dueMs + slackMs <= Date.now()) return undefined;
  console.log(`budget spent, waiting on for the server's timers: ${owed.why}`);
  return owed.dueMs + slackMs;
}
