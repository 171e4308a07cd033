// Rotten Tomatoes down for good: the session still completes, the report says RT was unavailable,
// the circuit breaker stops the crawler hammering it, failures are listed, and once RT is back a
// re-drive fills in the scores and updates the report.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/domain/report.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';
import { until } from '../support/mockActivities.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const authHeaders = () => ({ 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` });
/** Every API call with the stack's operator key: reads need one too. */
const api = (path: string, init?: RequestInit) => fetch(`${stack.apiUrl}${path}`, { ...init, headers: { ...authHeaders(), ...(init?.headers as Record<string, string> | undefined) } });

test('RT down: completes with RT marked unavailable; a re-drive after recovery updates the report', async () => {
  stack.standins.setLimits('rt', { faultRate: 1 });
  const rtBefore = stack.standins.stats().rt.requests;
  const res = await api('/api/sessions', { method: 'POST', headers: authHeaders(), body: JSON.stringify({ dataKey: 'demo-small' }) });
  const { sessionId } = (await res.json()) as { sessionId: string };
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 120_000);
  assert.equal(final.state, 'COMPLETED');

  const report = (await (await api(`/api/sessions/${sessionId}/report`)).json()) as Report;
  assert.equal(report.dataQuality.rtUnavailable, true);
  assert.equal(report.rtScore, null);
  assert.ok(report.totalShows > 0 && report.genres.length > 0, 'everything that does not need RT is there');

  // The breaker: far fewer requests than shows × (1 + crawler retries).
  const crawled = report.totalShows - report.dataQuality.showsNotOnTmdb;
  const rtRequests = stack.standins.stats().rt.requests - rtBefore;
  assert.ok(rtRequests < crawled * 6 * 0.5, `${rtRequests} RT requests for ${crawled} shows`);

  const failures = (await (await api(`/api/sessions/${sessionId}/failures`)).json()) as { failures: { stage: string; attempts: number; error: string }[] };
  assert.equal(failures.failures.length, crawled);
  assert.ok(failures.failures.every((f) => f.stage === 'crawl' && f.attempts >= 1 && f.error.length > 0));

  // RT recovers; an operator re-drives.
  stack.standins.setLimits('rt', { faultRate: 0 });
  await new Promise((r) => setTimeout(r, 2_500)); // let the circuit (CIRCUIT_OPEN=2s in tests) reach half-open
  const redrive = await api(`/api/sessions/${sessionId}/failures/redrive`, { method: 'POST', headers: authHeaders() });
  assert.equal(redrive.status, 202);
  await until(async () => ((await (await api(`/api/sessions/${sessionId}/failures`)).json()) as { failures: unknown[] }).failures.length === 0, 60_000, 'failures resolved');
  await until(async () => ((await (await api(`/api/sessions/${sessionId}/report`)).json()) as Report).rtScore !== null, 20_000, 'report updated');
  const updated = (await (await api(`/api/sessions/${sessionId}/report`)).json()) as Report;
  assert.equal(updated.dataQuality.rtUnavailable, false);
  assert.ok(updated.rtScore && updated.rtScore.score > 0);
});
