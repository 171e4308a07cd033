// End to end: API → workflow → children → activities → stand-ins (HTTP) → database → report,
// with the report checked against an independent computation from the stand-in's own data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/domain/report.js';
import { expectedReport } from '../support/expectedReport.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ env: { PAGE_SIZE: '300', PAGES_PER_FETCH: '4', CHUNK_SIZE: '50', CONTINUE_AS_NEW_EVERY_PAGES: '100' } });
});
after(async () => {
  await stack?.close();
});

async function runSession(dataKey: string): Promise<{ sessionId: string; report: Report }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey }),
  });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  assert.equal(res.headers.get('location'), `/api/sessions/${sessionId}`);
  const final = await waitForState(stack.apiUrl, sessionId, ['COMPLETED', 'FAILED'], 240_000);
  assert.equal(final.state, 'COMPLETED', JSON.stringify(final));
  const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`)).json()) as Report;
  return { sessionId, report };
}

test('a demo-10k session completes with a report equal to an independent computation', async () => {
  const { report } = await runSession('demo-10k');
  const expected = expectedReport('demo-10k', stack.standins.catalog);
  assert.equal(report.totalShows, expected.totalShows);
  assert.equal(report.totalEpisodes, expected.totalEpisodes);
  assert.equal(report.films, expected.films);
  assert.equal(report.dataQuality.invalidDates, expected.invalidDates);
  assert.ok(expected.invalidDates > 0, 'demo-10k carries impossible dates to report');
  assert.deepEqual(report.firstShow, expected.firstShow);
  assert.deepEqual(
    { name: report.mostWatchedShow?.name, watched: report.mostWatchedShow?.watched, total: report.mostWatchedShow?.total },
    expected.mostWatchedShow,
  );
  assert.equal(report.mostWatchedShow?.summary, `watched ${expected.mostWatchedShow.watched} of ${expected.mostWatchedShow.total} episodes`);
  assert.deepEqual(report.topShows, expected.topShows);
  assert.deepEqual(
    { name: report.crossoverStar?.name, showCount: report.crossoverStar?.showCount, shows: report.crossoverStar?.shows },
    expected.crossoverStar,
  );
  assert.deepEqual(report.genres, expected.genres);
  assert.deepEqual(report.rtScore, expected.rtScore);
  // The AI parts exist, validated: an enum sign and personality, short quips.
  assert.ok(report.starSign && report.personality && report.bff);
  for (const quip of [report.firstShowQuip, report.mostWatchedShowQuip, report.rtScoreQuip, report.topGenresQuip, report.bff.quip]) {
    assert.ok(quip && quip.length <= 140, `quip ${quip}`);
  }
});

test('a second session over the same shows reuses the show cache instead of calling TMDB again', async () => {
  const before = stack.standins.stats().tmdb.requests;
  await runSession('demo-1k');
  const afterFirst = stack.standins.stats().tmdb.requests;
  await runSession('demo-1k');
  const afterSecond = stack.standins.stats().tmdb.requests;
  assert.ok(afterFirst > before, 'the first demo-1k session looked shows up');
  assert.equal(afterSecond, afterFirst, 'the second session made no TMDB requests');
});
