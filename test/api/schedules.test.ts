// Recurring refresh: a schedule per opted-in session that fetches only newer activity and rebuilds
// the report; it can be paused and resumed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { refreshScheduleId } from '../../src/contracts/index.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';
import { until } from '../support/mockActivities.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const call = (method: string, path: string, body?: unknown, authorization = `Bearer ${stack.apiKey}`) =>
  fetch(`${stack.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });

test('a schedule refreshes only newer activity, updates the report, and pauses/resumes', async () => {
  const { sessionId, viewerToken } = (await (await call('POST', '/api/sessions', { dataKey: 'demo-1k' })).json()) as { sessionId: string; viewerToken: string };
  await waitForState(stack, sessionId, ['COMPLETED']);
  const before = (await (await call('GET', `/api/sessions/${sessionId}/report`)).json()) as { generatedAt: string };

  // Schedules are the operator's: the session's own viewer token cannot make, read or change one.
  for (const [method, path] of [['POST', ''], ['GET', ''], ['POST', '/pause'], ['DELETE', '']]) {
    const res = await call(method, `/api/sessions/${sessionId}/schedule${path}`, method === 'POST' ? { dataKey: 'demo-1k', every: '1h' } : undefined, `Bearer ${viewerToken}`);
    assert.equal(res.status, 403, `${method} schedule${path} with the viewer token`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'insufficient_scope');
    assert.equal((await call(method, `/api/sessions/${sessionId}/schedule${path}`, undefined, '')).status, 401, `${method} schedule${path} without a credential`);
  }
  assert.equal((await call('POST', `/api/sessions/${sessionId}/schedule`, { dataKey: 'demo-1k', every: '10s' })).status, 400, 'intervals under 1m are refused');
  assert.equal((await call('POST', `/api/sessions/${sessionId}/schedule`, { dataKey: 'demo-1k', every: '1h' })).status, 201);

  // Fire it now rather than waiting an hour.
  const handle = stack.env.client.schedule.getHandle(refreshScheduleId(sessionId));
  await handle.trigger();
  let result: { newActivities: number; newShows: number } | undefined;
  await until(async () => {
    const { recentActions } = (await handle.describe()).info;
    const started = recentActions.at(-1)?.action;
    if (!started) return false;
    const run = stack.env.client.workflow.getHandle(started.workflow.workflowId, started.workflow.firstExecutionRunId);
    if ((await run.describe()).status.name !== 'COMPLETED') return false;
    result = await run.result();
    return true;
  }, 60_000, 'the refresh to finish');
  // Nothing new in the stand-in's history: only the newest day's activity is re-read, no new shows.
  assert.ok(result!.newActivities > 0 && result!.newActivities < 1000, `re-read ${result!.newActivities} activities`);
  assert.equal(result!.newShows, 0);
  const after = (await (await call('GET', `/api/sessions/${sessionId}/report`)).json()) as { generatedAt: string; totalShows: number };
  assert.ok(after.generatedAt > before.generatedAt, 'the report was rebuilt');

  assert.equal((await call('POST', `/api/sessions/${sessionId}/schedule/pause`)).status, 200);
  assert.equal(((await (await call('GET', `/api/sessions/${sessionId}/schedule`)).json()) as { paused: boolean }).paused, true);
  assert.equal((await call('POST', `/api/sessions/${sessionId}/schedule/resume`)).status, 200);
  assert.equal(((await (await call('GET', `/api/sessions/${sessionId}/schedule`)).json()) as { paused: boolean }).paused, false);
  assert.equal((await call('DELETE', `/api/sessions/${sessionId}/schedule`)).status, 204);
  assert.equal((await call('GET', `/api/sessions/${sessionId}/schedule`)).status, 404);
});
