// "Forget me" over a real stack: a completed session (with a refresh schedule) forgotten by its
// viewer's token, a running one by an admin key. Afterwards no row of either remains, their schedule
// and workflows are gone, their raw histories hold no plaintext, the codec endpoint answers
// "erased" for their payloads and their histories replay nowhere; a third session is untouched.
// Then retention: a finished session past RETENTION is forgotten by RetentionWorkflow.
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RETENTION_SCHEDULE_ID, type ForgetReceipt, WorkflowTypes, refreshScheduleId, sessionWorkflowId } from '../../src/contracts/index.js';
import { sessionDigest } from '../../src/temporal/codec/sessionKeys.js';
import { ensureRetentionSchedule } from '../../src/temporal/retention.js';
import { workflowsPath } from '../../src/worker/createWorker.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const SESSION_TABLES = ['episodes', 'films', 'date_problems', 'session_shows', 'insights', 'dead_letters', 'report_versions', 'share_link_epochs', 'session_keys'] as const;

const call = (method: string, path: string, auth: string, body?: unknown) =>
  fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function start(sessionId: string, dataKey: string): Promise<string> {
  const res = await call('POST', '/api/sessions', stack.apiKey, { sessionId, dataKey });
  assert.equal(res.status, 202);
  return ((await res.json()) as { viewerToken: string }).viewerToken;
}

async function rowsOf(sessionId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of SESSION_TABLES) {
    const row = await stack.db.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const sessions = await stack.db.db.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('id', '=', sessionId).executeTakeFirstOrThrow();
  counts.sessions = Number(sessions.n);
  return counts;
}

/** Every run of every workflow the session owns, read raw (no codec): what the server stores. */
async function rawHistories(sessionId: string) {
  const raw = new Client({ connection: stack.env.connection, namespace: stack.env.namespace ?? 'default' });
  const parent = sessionWorkflowId(sessionId);
  const runs = [];
  for await (const e of raw.workflow.list({ query: `WorkflowId = "${parent}" OR WorkflowId STARTS_WITH "${parent}/"` })) {
    runs.push({ workflowId: e.workflowId, runId: e.runId, history: await raw.workflow.getHandle(e.workflowId, e.runId).fetchHistory() });
  }
  return runs;
}

/** The payloads in a history that a codec is responsible for (not search attributes or patch markers). */
function payloadsIn(value: unknown, out: Payload[] = [], key = ''): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) return value.forEach((v) => payloadsIn(v, out, key)), out;
  const obj = value as Record<string, unknown>;
  if (obj.metadata && typeof obj.metadata === 'object' && !(obj.metadata instanceof Uint8Array) && !['searchAttributes', 'indexedFields', 'patch-data'].includes(key)) {
    out.push(obj as Payload);
  }
  for (const [k, v] of Object.entries(obj)) payloadsIn(v, out, ['indexedFields', 'patch-data'].includes(key) ? key : k);
  return out;
}

const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

const decodeViaApi = (payloads: Payload[]) => call('POST', '/codec/decode', stack.apiKey, { payloads: payloads.map(wire) });

test('forgetting a completed and a running session erases them for good and leaves a third one untouched', async () => {
  const tag = Date.now().toString(36);
  const ids = { done: `forget-done-${tag}`, running: `forget-running-${tag}`, kept: `forget-kept-${tag}` };
  const doneToken = await start(ids.done, 'demo-small');
  await start(ids.kept, 'demo-small');
  await waitForState(stack, ids.done, ['COMPLETED']);
  await waitForState(stack, ids.kept, ['COMPLETED']);
  assert.equal((await call('POST', `/api/sessions/${ids.done}/schedule`, stack.apiKey, { dataKey: 'demo-small', every: '1h' })).status, 201);
  // A show the viewer watched: plaintext to look for in the raw histories afterwards.
  const doneReport = (await (await call('GET', `/api/sessions/${ids.done}/report`, doneToken)).json()) as { mostWatchedShow?: { name?: string } | null };
  const watchedShow = doneReport.mostWatchedShow?.name;
  assert.ok(watchedShow, 'the completed session has a most-watched show');
  const before = await rowsOf(ids.done);
  assert.ok(before.sessions === 1 && before.episodes > 0 && before.report_versions === 1 && before.session_keys === 1, JSON.stringify(before));

  // A bigger history, forgotten mid-run.
  await start(ids.running, 'demo-1k');
  await waitForState(stack, ids.running, ['PROCESSING']);
  await new Promise((r) => setTimeout(r, 1500)); // let it fan out children

  // The viewer forgets the completed one with their own token; an admin key forgets the running one.
  const byViewer = await call('DELETE', `/api/sessions/${ids.done}`, doneToken);
  assert.equal(byViewer.status, 200);
  assert.match(byViewer.headers.get('set-cookie') ?? '', new RegExp(`sp_viewer=;.*Path=/api/sessions/${ids.done}`), 'the cookie is cleared');
  const receiptDone = ((await byViewer.json()) as { receipt: ForgetReceipt }).receipt;
  const byAdmin = await call('DELETE', `/api/sessions/${ids.running}`, stack.apiKey);
  assert.equal(byAdmin.status, 200);
  const receiptRunning = ((await byAdmin.json()) as { receipt: ForgetReceipt }).receipt;

  // The receipts say what went.
  assert.equal(receiptDone.requestedBy, 'viewer');
  assert.equal(receiptRunning.requestedBy, 'operator');
  for (const r of [receiptDone, receiptRunning]) {
    assert.equal(r.keyIds.length, 1, 'one payload key destroyed');
    assert.equal(r.rowsDeleted.sessions, 1);
    assert.ok(!Number.isNaN(Date.parse(r.erasedAt)));
  }
  assert.equal(receiptDone.rowsDeleted.episodes, before.episodes);
  assert.equal(receiptDone.scheduleDeleted, true);
  assert.deepEqual(receiptDone.workflowsClosed, []);
  assert.ok(receiptRunning.workflowsClosed.includes(sessionWorkflowId(ids.running)), 'the running session was closed');

  // 2. No row of either remains; their schedule is gone; their workflows are all closed.
  for (const id of [ids.done, ids.running]) {
    assert.deepEqual(Object.values(await rowsOf(id)).filter((n) => n > 0), [], `rows left for ${id}`);
    assert.equal(await stack.db.db.selectFrom('idempotency_keys').select('key').where('location', '=', `/api/sessions/${id}`).executeTakeFirst(), undefined);
    const tombstone = await stack.db.db.selectFrom('erased_session_keys').selectAll().where('session_digest', '=', sessionDigest(id)).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(tombstone).includes(id), 'the tombstone does not name the session');
  }
  await assert.rejects(stack.client.schedule.getHandle(refreshScheduleId(ids.done)).describe(), ScheduleNotFoundError);
  const runningRuns = await rawHistories(ids.running);
  assert.ok(runningRuns.length > 1, 'the running session had children');
  for (const run of runningRuns) {
    const status = (await stack.env.client.workflow.getHandle(run.workflowId, run.runId).describe()).status.name;
    assert.notEqual(status, 'RUNNING', `${run.workflowId} still runs`);
  }

  // The API knows neither any more: not the viewer, not an operator; the id cannot be reused.
  assert.equal((await call('GET', `/api/sessions/${ids.done}`, doneToken)).status, 404);
  assert.equal((await call('GET', `/api/sessions/${ids.done}/report`, stack.apiKey)).status, 404);
  assert.equal((await call('GET', `/api/sessions/${ids.running}`, stack.apiKey)).status, 404);
  const reuse = await call('POST', '/api/sessions', stack.apiKey, { sessionId: ids.done, dataKey: 'demo-small' });
  assert.equal(reuse.status, 409);
  assert.equal(((await reuse.json()) as { error: { code: string } }).error.code, 'session_erased');

  // 3. Raw histories hold no plaintext; the codec endpoint refuses their payloads as erased.
  for (const id of [ids.done, ids.running]) {
    const runs = await rawHistories(id);
    assert.ok(runs.length > 0);
    const text = Buffer.concat(runs.flatMap((r) => payloadsIn(r.history).map((p) => Buffer.from(p.data ?? [])))).toString('latin1');
    assert.equal(text.indexOf('demo-'), -1, `a dataKey in the clear in ${id}'s history`);
    assert.equal(text.indexOf(watchedShow), -1, `a watched show in the clear in ${id}'s history`);
    const payloads = runs.flatMap((r) => payloadsIn(r.history));
    assert.ok(payloads.length > 3);
    const refused = await decodeViaApi(payloads.slice(0, 5));
    assert.equal(refused.status, 410);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'erased');
    // Replays nowhere: the worker's own converter (with the database keyring) cannot read them either.
    const replays = Worker.runReplayHistories(
      { workflowsPath, replayName: `forgotten-${id}`, dataConverter: stack.dataConverter },
      runs.filter((r) => r.workflowId === sessionWorkflowId(id)).map((r) => ({ workflowId: r.workflowId, history: r.history })),
    );
    for await (const result of replays) assert.ok(result.error, `${result.workflowId} replayed after being forgotten`);
  }

  // 4. The third session is untouched: its report, its rows, and its payloads still decode.
  assert.equal((await call('GET', `/api/sessions/${ids.kept}/report`, stack.apiKey)).status, 200);
  assert.equal((await rowsOf(ids.kept)).sessions, 1);
  const keptRuns = await rawHistories(ids.kept);
  const keptPayloads = keptRuns.flatMap((r) => payloadsIn(r.history));
  const decoded = await decodeViaApi(keptPayloads.slice(0, 5));
  assert.equal(decoded.status, 200);
  const plain = ((await decoded.json()) as { payloads: { data: string }[] }).payloads.map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
  assert.match(plain, /demo-small/, "the kept session's own input decodes");
});

test('only the viewer of that session or an admin key may forget it', async () => {
  const tag = Date.now().toString(36);
  const mine = `forget-mine-${tag}`;
  const other = `forget-other-${tag}`;
  const myToken = await start(mine, 'demo-small');
  await start(other, 'demo-small');
  await waitForState(stack, other, ['COMPLETED']);
  assert.equal((await call('DELETE', `/api/sessions/${other}`, myToken)).status, 404, "another viewer's session looks absent");
  assert.equal((await fetch(`${stack.apiUrl}/api/sessions/${other}`, { method: 'DELETE' })).status, 401);
  assert.equal((await rowsOf(other)).sessions, 1, 'nothing was erased');
});

test('retention: RetentionWorkflow forgets finished sessions past the retention period and keeps younger ones', async () => {
  const tag = Date.now().toString(36);
  const old = `retention-old-${tag}`;
  const young = `retention-young-${tag}`;
  await start(old, 'demo-small');
  await start(young, 'demo-small');
  await waitForState(stack, old, ['COMPLETED']);
  await waitForState(stack, young, ['COMPLETED']);
  const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  await stack.db.db.updateTable('sessions').set({ completed_at: longAgo, updated_at: longAgo }).where('id', '=', old).execute();

  const outcome = await stack.client.workflow.execute(WorkflowTypes.retention, {
    workflowId: `retention-test-${tag}`,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{ retentionMs: 30 * 24 * 3600 * 1000 }],
  });
  assert.equal((outcome as { failed: number }).failed, 0);
  assert.ok((outcome as { forgotten: number }).forgotten >= 1);
  assert.equal((await rowsOf(old)).sessions, 0, 'the old session was forgotten');
  assert.equal((await rowsOf(young)).sessions, 1, 'the young one stays');
  const receipt = await stack.client.workflow.getHandle(`forget-${old}`).result();
  assert.equal((receipt as ForgetReceipt).requestedBy, 'retention');

  // The schedule follows RETENTION: made, updated, and deleted by RETENTION=off.
  const taskQueue = stack.config.temporal.taskQueue;
  assert.equal(await ensureRetentionSchedule(stack.client, { retentionMs: 30 * 24 * 3600 * 1000, taskQueue }), 'created');
  assert.equal(await ensureRetentionSchedule(stack.client, { retentionMs: 7 * 24 * 3600 * 1000, taskQueue }), 'updated');
  const described = await stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
  assert.equal(described.action.type, 'startWorkflow');
  assert.deepEqual((described.action as { args: unknown[] }).args, [{ retentionMs: 7 * 24 * 3600 * 1000 }]);
  assert.equal(await ensureRetentionSchedule(stack.client, { retentionMs: undefined, taskQueue }), 'deleted');
  await assert.rejects(stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe(), ScheduleNotFoundError);
});
