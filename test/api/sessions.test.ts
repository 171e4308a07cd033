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

test('starting the same sessionId twice gives the same workflow: 202, then 200', async () => {
  const sessionId = `twice-${Date.now()}`;
  const first = await post('/api/sessions', { dataKey: 'demo-small', sessionId });
  const second = await post('/api/sessions', { dataKey: 'demo-small', sessionId });
  assert.equal(first.status, 202);
  assert.equal(second.status, 200);
  const [firstBody, secondBody] = (await Promise.all([first.json(), second.json()])) as { created: boolean; viewerToken?: string }[];
  assert.equal(firstBody.created, true);
  assert.equal(secondBody.created, false);
  // An operator (an app acting for its viewer) gets the session's viewer token either way.
  for (const body of [firstBody, secondBody]) assert.ok(body.viewerToken?.startsWith(`spv1.${sessionId}.`), JSON.stringify(body));
  await waitForState(stack, sessionId, ['COMPLETED']);
  const runs = [];
  for await (const run of stack.env.client.workflow.list({ query: `WorkflowId = "session-${sessionId}"` })) runs.push(run);
  assert.equal(runs.length, 1);
});

test("Gandalf's callback starts an unknown session with its key (signal-with-start)", async () => {
  const sessionId = `callback-${Date.now()}`;
  const res = await fetch(`${stack.apiUrl}/api/callback?sessionID=${sessionId}&dataKey=demo-small`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/?session=${sessionId}`);
  // Without CALLBACK_SECRET nothing proves the caller is the viewer: no viewer cookie (callback.test.ts has the signed case).
  assert.equal(res.headers.get('set-cookie'), null);
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED']);
  assert.equal(final.state, 'COMPLETED');
});

test('a session started without a key waits, and /connect delivers it', async () => {
  const sessionId = `later-${Date.now()}`;
  assert.equal((await post('/api/sessions', { sessionId })).status, 202);
  const waiting = await waitForState(stack, sessionId, ['AWAITING_CONNECTION']);
  assert.equal(waiting.state, 'AWAITING_CONNECTION');
  assert.equal((await post(`/api/sessions/${sessionId}/connect`, { dataKey: 'demo-small' })).status, 202);
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED']);
  assert.equal(final.state, 'COMPLETED');
  const list = (await (await get('/api/sessions?state=COMPLETED')).json()) as { sessions: { sessionId: string }[] };
  assert.ok(list.sessions.some((s) => s.sessionId === sessionId));
});
