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

const withKey = () => ({ headers: { authorization: `Bearer ${stack.apiKey}` } });

async function runSession(dataKey: string): Promise<{ sessionId: string; report: Report }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey }),
  });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  assert.equal(res.headers.get('location'), `/api/sessions/${sessionId}`);
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 240_000);
  assert.equal(final.state, 'COMPLETED', JSON.stringify(final));
  const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, withKey())).json()) as Report;
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
    { name: report.mostWatchedShow?.name, watched: report.mostWatchedShow?.watched, total: report.mostWatchedShow?.total, posterUrl: report.mostWatchedShow?.posterUrl },
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
  // RT pages were found without search: through Wikidata, by confirmed slug guesses, or not at all.
  assert.deepEqual(report.dataQuality.rtMatchedBy, expected.rtMatchedBy);
  assert.deepEqual(report.dataQuality.identifiedBy, expected.identifiedBy);
  assert.ok(expected.identifiedBy.imdb > 0 && expected.identifiedBy.tvdb > 0 && expected.identifiedBy.name > 0, 'demo-10k exercises every way');
  assert.ok(expected.rtMatchedBy.wikidata > 0 && expected.rtMatchedBy.slug > 0 && expected.rtMatchedBy.notFound > 0, 'demo-10k exercises every way');
  const paths = stack.standins.rtRequestedPaths();
  assert.ok(paths.length > 0 && !paths.some((p) => p.startsWith('/search')), 'RT was crawled, and /search never requested');
  // …and /metrics counts the same three ways (this process's worker, so its counters).
  const metrics = await (await fetch(`${stack.apiUrl}/metrics`, withKey())).text();
  for (const method of ['wikidata', 'slug', 'not_found']) {
    const value = Number(new RegExp(`^showprint_rt_matches_total\\{method="${method}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    assert.ok(value > 0, `showprint_rt_matches_total{method="${method}"} counted`);
  }
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

test('the RT score is the same whether RT serves 2025 (camelCase) or 2026 (kebab-case) markup', async () => {
  const scores = [];
  for (const era of ['2025', '2026'] as const) {
    stack.standins.setRtEra(era);
    // Forget every RT result, so this session crawls every page again in this era's markup.
    await stack.db.db.updateTable('shows').set({ rt_status: 'pending', rt_checked_at: null, critics_score: null, audience_score: null, rt_match: null }).execute();
    scores.push((await runSession('demo-1k')).report.rtScore);
  }
  stack.standins.setRtEra(undefined);
  assert.ok(scores[0] !== null);
  assert.deepEqual(scores[0], scores[1]);
  assert.deepEqual(scores[0], expectedReport('demo-1k', stack.standins.catalog).rtScore);
});
