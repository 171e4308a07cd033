// Issue 23's "done when", end to end: RT behind a CDN that allows 1 request a second (then 0.5) and
// refuses the rest with text/plain 429s, with and without Retry-After, while the app's RT rate is 20/s:
// the session's final report is the unthrottled one and nothing is dead-lettered (the old crawl
// dead-lettered most shows after one refusal each). Each throttled run meets RT as a new deployment
// would: nothing learned, and the worker idle on RT long enough to start at first contact (one request
// at a time). The refusal share is reported, and only bounded loosely: finding an unknown limit costs
// one refusal (the first contact's second request, whose Retry-After and answered pace set the rate),
// or two when the service names no Retry-After and allows less than a request a second (the first
// pause of a second is too short); over a long run the share stays under 5% (the simulation in
// test/clients/adaptiveLimiter.test.ts). And an outage: RT answering only 503s for
// a while mid-crawl; the session waits, says so (progress), and completes with every score.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FIRST_CONTACT } from '../../src/clients/rateLimiter.js';
import type { Report } from '../../src/domain/report.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

const DATA_KEY = 'demo-small';
let stack: TestStack;
before(async () => {
  // Every session crawls RT afresh (no show cache), at the app's 20/s; RT refusing us for 2 s on end is reported.
  stack = await startTestStack({ env: { RT_RPS: '20', SHOW_CACHE_TTL: '0s', CHUNK_SIZE: '50', THROTTLE_PATIENCE: '2s' } });
});
after(async () => {
  await stack?.close();
});

const auth = () => ({ authorization: `Bearer ${stack.apiKey}` });

/** Runs a session to its end; `throttledSeen` tells whether its progress ever said a service was refusing us. */
async function runSession(): Promise<Report & { throttledSeen: string[] }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify({ dataKey: DATA_KEY }) });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  const throttledSeen = new Set<string>();
  const watch = setInterval(() => {
    void fetch(`${stack.apiUrl}/api/sessions/${sessionId}`, { headers: auth() })
      .then((r) => r.json() as Promise<{ progress?: { throttled?: { service: string }[] } }>)
      .then((body) => body.progress?.throttled?.forEach((t) => throttledSeen.add(t.service)))
      .catch(() => undefined);
  }, 250);
  try {
    const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 600_000);
    assert.equal(final.state, 'COMPLETED', JSON.stringify(final));
  } finally {
    clearInterval(watch);
  }
  const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, { headers: auth() })).json()) as Report;
  return { ...report, throttledSeen: [...throttledSeen] };
}

/** The limiter's row back to the configured rate (the worker keeps using the row, so it stays). */
const forgetRtRate = () => stack.db.db.updateTable('rate_limits').set({ current_rps: null, learned_rps: null, last_decrease_at: null }).where('service', '=', 'rt').execute();

/** As a new deployment meets RT: nothing learned, and the worker's first requests at first contact (it was idle). */
async function meetRtAfresh() {
  await forgetRtRate();
  await new Promise((resolve) => setTimeout(resolve, FIRST_CONTACT.idleMs));
}

/** What throttling must not change. */
const outcome = (r: Report) => ({ rtScore: r.rtScore, rtMatchedBy: r.dataQuality.rtMatchedBy, showsFailed: r.dataQuality.showsFailed, unresolvedFailures: r.dataQuality.unresolvedFailures, rtTaste: r.coverage.rtTaste, final: r.final });

let unthrottled: ReturnType<typeof outcome>;

test('unthrottled: the reference report', async () => {
  unthrottled = outcome(await runSession());
  assert.equal(unthrottled.unresolvedFailures, 0);
});

for (const [rps, retryAfter] of [[1, true], [1, false], [0.5, true], [0.5, false]] as const) {
  test(`RT throttled to ${rps}/s with text/plain 429s${retryAfter ? '' : ' and no Retry-After'}: the same report, nothing dead-lettered`, async (t) => {
    await meetRtAfresh();
    stack.standins.setLimits('rt', { rps, burst: 1, refusal: { body: 'text', retryAfter } });
    stack.standins.resetStats();
    try {
      const report = outcome(await runSession());
      const { requests, rateLimited, requestStarts, admittedStarts } = stack.standins.stats().rt;
      // Refusals once the limit is found: among the requests after the first ten (reported).
      const admitted = new Set(admittedStarts);
      const later = requestStarts.slice(10);
      const laterRefused = later.filter((at) => !admitted.has(at)).length;
      t.diagnostic(
        `${rps}/s, Retry-After ${retryAfter}: ${rateLimited} of ${requests} RT requests refused (${((rateLimited / requests) * 100).toFixed(1)}%); ` +
          `after the first ten: ${laterRefused} of ${later.length} (${((laterRefused / later.length) * 100).toFixed(1)}%)`,
      );
      const t0 = requestStarts[0] ?? 0;
      t.diagnostic(`first requests (ms from the first, * refused): ${requestStarts.slice(0, 12).map((at) => `${Math.round(at - t0)}${admitted.has(at) ? '' : '*'}`).join(' ')}`);
      assert.deepEqual(report, unthrottled);
      assert.ok(rateLimited > 0, 'RT refused some requests');
      // Finding the limit costs a refusal or two (the old crawl: 96 of 106); a loaded machine may bunch a pair.
      assert.ok(rateLimited <= 4, `${rateLimited} refusals`);
    } finally {
      stack.standins.setLimits('rt', { rps: 1000, burst: 1000, refusal: undefined });
    }
  });
}

test('an RT outage (only 503s) mid-crawl: the session waits it out, says so, and completes with every score', async (t) => {
  await forgetRtRate();
  stack.standins.resetStats();
  stack.standins.setLimits('rt', { outage: { afterRequests: 10, durationMs: 8_000, status: 503 }, refusal: { body: 'text', retryAfter: false } });
  try {
    const session = await runSession();
    const { requests, unavailable } = stack.standins.stats().rt;
    t.diagnostic(`outage: ${unavailable} of ${requests} RT requests answered 503; progress said throttled: ${session.throttledSeen.join(', ') || 'never'}`);
    assert.ok(unavailable > 0, 'the outage happened');
    assert.deepEqual(session.throttledSeen, ['rt'], 'the session said RT was refusing us');
    assert.deepEqual(outcome(session), unthrottled, 'every score, once RT was back');
  } finally {
    stack.standins.setLimits('rt', { outage: undefined, refusal: undefined });
  }
});
