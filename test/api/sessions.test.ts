// The API over a real stack: validation, not-found, fast permanent failures, Gandalf's callback,
// and starting the same session twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
/** A read with the stack's operator key (reads need one too). */
const get = (path: string) => fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });

describe('validation', () => {
  const cases: [string, unknown, RegExp][] = [
    ['malformed JSON', '{"dataKey": ', /not valid JSON/],
    ['a number for dataKey', { dataKey: 42 }, /dataKey/],
    ['an empty dataKey', { dataKey: '   ' }, /dataKey: must not be empty/],
    ['an unknown field', { dataKey: 'demo-small', admin: true }, /admin/],
    ['a sessionId with a slash', { dataKey: 'demo-small', sessionId: '../etc' }, /sessionId: must be 1–64 letters/],
  ];
  for (const [name, body, message] of cases) {
    test(`${name} gets 400 with a message that says what is wrong`, async () => {
      const res = await post('/api/sessions', body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as { error: { message: string } };
      assert.match(json.error.message, message);
    });
  }

  test('an unknown session is 404; a malformed id is 400 (to a caller with a key; anonymous callers learn nothing)', async () => {
    assert.equal((await get('/api/sessions/no-such-session')).status, 404);
    assert.equal((await get('/api/sessions/no-such-session/report')).status, 404);
    assert.equal((await get(`/api/sessions/${'x'.repeat(65)}`)).status, 400);
    assert.equal((await get('/api/nothing-here')).status, 404);
    for (const path of ['/api/sessions/no-such-session', '/api/sessions/no-such-session/report', `/api/sessions/${'x'.repeat(65)}`, '/api/nothing-here']) {
      assert.equal((await fetch(`${stack.apiUrl}${path}`)).status, 401, `anonymous GET ${path}`);
    }
  });
});

test('an unknown dataKey ends FAILED fast (one attempt, no retries), with a readable reason', async () => {
  const res = await post('/api/sessions', { dataKey: 'no-such-key' });
  const { sessionId } = (await res.json()) as { sessionId: string };
  const final = await waitForState(stack, sessionId, ['FAILED', 'COMPLETED'], 30_000);
  assert.equal(final.state, 'FAILED');
  assert.match(String(final.failureReason), /Gandalf has no data for this dataKey/);
  // Fails fast: the non-retryable error gets exactly one attempt, no backoff.
  const handle = stack.client.workflow.getHandle(`session-${sessionId}`);
  await handle.result().catch(() => undefined); // the run has closed: its history is complete
  const history = await handle.fetchHistory();
  const fetchAttempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes && history.events!.some((s) => s.eventId?.toString() === e.activityTaskStartedEventAttributes!.scheduledEventId?.toString() && s.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchHistoryBatch'));
  assert.deepEqual(fetchAttempts.map((e) => e.activityTaskStartedEventAttributes!.attempt), [1]);
  const report = await get(`/api/sessions/${sessionId}/report`);
  assert.equal(report.status, 409);
});

test('starting the same sessionId twice gives the same workflow: 202, then 200, and only the creator gets the viewer token', async () => {
  const sessionId = `twice-${Date.now()}`;
  const first = await post('/api/sessions', { dataKey: 'demo-small', sessionId });
  const second = await post('/api/sessions', { dataKey: 'demo-small', sessionId });
  assert.equal(first.status, 202);
  assert.equal(second.status, 200);
  const [firstBody, secondBody] = (await Promise.all([first.json(), second.json()])) as { created: boolean; viewerToken?: string }[];
  assert.equal(firstBody.created, true);
  assert.equal(secondBody.created, false);
  // The token goes to the request that created the session; naming it again, even with a key, gets none.
  assert.ok(firstBody.viewerToken?.startsWith(`spv2.${sessionId}.`), JSON.stringify(firstBody));
  assert.equal(secondBody.viewerToken, undefined, JSON.stringify(secondBody));
  assert.equal(second.headers.get('set-cookie'), null);
  await waitForState(stack, sessionId, ['COMPLETED']);
  const runs = [];
  for await (const run of stack.env.client.workflow.list({ query: `WorkflowId = "session-${sessionId}"` })) runs.push(run);
  assert.equal(runs.length, 1);
});

test('an id whose workflow Temporal no longer keeps is still never reused: its row (or tombstone) refuses the start', async () => {
  const sessionId = `reused-${Date.now()}`;
  // What a namespace's retention leaves behind: the rows, and no workflow.
  await stack.db.db.insertInto('sessions').values({ id: sessionId, workflow_id: `session-${sessionId}`, data_source: 'NETFLIX', state: 'COMPLETED', failure_reason: null, completed_at: new Date() }).execute();
  const res = await post('/api/sessions', { dataKey: 'demo-small', sessionId });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { created: boolean; viewerToken?: string };
  assert.equal(body.created, false);
  assert.equal(body.viewerToken, undefined);
  await assert.rejects(stack.client.workflow.getHandle(`session-${sessionId}`).describe(), /not found/i, 'no new workflow was started over the old rows');
});

test("Gandalf's callback connects a waiting session with the state its creator was given, and never starts one", async () => {
  const sessionId = `callback-${Date.now()}`;
  const started = await post('/api/sessions', { sessionId });
  assert.equal(started.status, 202);
  const { connectState } = (await started.json()) as { connectState?: string };
  assert.ok(connectState, 'a session that waits for its key hands its creator the connect state');
  await waitForState(stack, sessionId, ['AWAITING_CONNECTION']);
  const callback = (query: string) => fetch(`${stack.apiUrl}/api/callback?${query}`, { redirect: 'manual' });
  // Without the state, or with another session's, the key is not delivered and no cookie is set.
  for (const query of [`sessionID=${sessionId}&dataKey=demo-1k`, `sessionID=${sessionId}&dataKey=demo-1k&state=${'A'.repeat(43)}`]) {
    const refused = await callback(query);
    assert.equal(refused.status, 303);
    assert.equal(refused.headers.get('location'), '/?connect=refused');
    assert.equal(refused.headers.get('set-cookie'), null);
  }
  const res = await callback(`sessionID=${sessionId}&dataKey=demo-small&state=${connectState}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/?session=${sessionId}`);
  // The key was taken: the browser gets the viewer cookie (Lax: it arrives on a cross-site redirect).
  assert.match(res.headers.get('set-cookie') ?? '', new RegExp(`^sp_viewer=spv2\\.${sessionId}\\..*SameSite=Lax`));
  // The same link again: the session has its key, so no second cookie for whoever replays it.
  const again = await callback(`sessionID=${sessionId}&dataKey=demo-small&state=${connectState}`);
  assert.equal(again.headers.get('location'), '/?connect=refused');
  assert.equal(again.headers.get('set-cookie'), null);
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED']);
  assert.equal(final.state, 'COMPLETED');
  // An unknown session: the same refusal, and nothing is started.
  const ghost = `ghost-${Date.now()}`;
  const unknown = await fetch(`${stack.apiUrl}/api/callback?sessionID=${ghost}&dataKey=demo-small&state=${connectState}`, { redirect: 'manual', headers: { accept: 'application/json' } });
  assert.equal(unknown.status, 409);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'connect_refused');
  await assert.rejects(stack.client.workflow.getHandle(`session-${ghost}`).describe(), /not found/i);
});

test('a session started without a key waits, and /connect delivers it', async () => {
  const sessionId = `later-${Date.now()}`;
  assert.equal((await post('/api/sessions', { sessionId })).status, 202);
  const waiting = await waitForState(stack, sessionId, ['AWAITING_CONNECTION']);
  assert.equal(waiting.state, 'AWAITING_CONNECTION');
  assert.equal((await post(`/api/sessions/${sessionId}/connect`, { dataKey: 'demo-small' })).status, 202);
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED']);
  assert.equal(final.state, 'COMPLETED');
  // The list is the database projection: the row follows the workflow's own state by a moment.
  let listed = false;
  for (let i = 0; i < 50 && !listed; i++) {
    const list = (await (await get('/api/sessions?state=COMPLETED')).json()) as { sessions: { sessionId: string }[] };
    listed = list.sessions.some((s) => s.sessionId === sessionId);
    if (!listed) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(listed, 'the completed session is listed');
});
