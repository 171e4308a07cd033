// End to end: API → workflow → activities → stand-ins → database → report.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

test('a demo session goes from POST /api/sessions to a stored report', async () => {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataKey: 'demo-small' }),
  });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  assert.equal(res.headers.get('location'), `/api/sessions/${sessionId}`);
  const final = await waitForState(stack.apiUrl, sessionId, ['COMPLETED', 'FAILED']);
  assert.equal(final.state, 'COMPLETED', JSON.stringify(final));
  const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`)).json()) as Record<string, unknown>;
  assert.ok((report.totalShows as number) > 0);
  console.log(JSON.stringify(report, null, 1).slice(0, 3000));
});
