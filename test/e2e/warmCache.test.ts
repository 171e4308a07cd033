// Warm cache: a catalog crawl seeded with a viewer's shows pre-warms them, and the viewer's session
// then asks TMDB and RT nothing about any of them (counted per path at the stand-ins, and their rows
// untouched), while its report still equals the independent computation from the stand-in's data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CatalogCrawlOutcome } from '../../src/contracts/index.js';
import { displayShowName, showIdentityKey } from '../../src/domain/names.js';
import type { Report } from '../../src/domain/report.js';
import { startCatalogCrawl } from '../../src/temporal/catalogCrawls.js';
import { historyFor } from '../../standins/index.js';
import { expectedReport } from '../support/expectedReport.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const DATA_KEY = 'demo-1k';

test('a session whose shows were pre-warmed makes no TMDB or RT request for them', async () => {
  const catalog = stack.standins.catalog;
  const viewerShows = [...new Set(historyFor(DATA_KEY, catalog)!.flatMap((a) => (a.showId === undefined ? [] : [a.showId])))].map((id) => catalog.showById.get(id)!);
  const onTmdb = viewerShows.filter((s) => s.onTmdb);
  const { workflowId } = await startCatalogCrawl(stack.client, {
    taskQueue: stack.config.temporal.taskQueue,
    crawlId: `warm-${DATA_KEY}`,
    seeds: onTmdb.map((s) => s.id),
    settings: { target: onTmdb.length, rounds: 1, popularityFloor: 0, yieldMaxMs: 0, showCacheTtlMs: stack.config.pipeline.showCacheTtlMs },
  });
  const crawl = (await stack.client.workflow.getHandle(workflowId).result()) as CatalogCrawlOutcome;

  // What the crawl warmed: the viewer's shows held fresh at both stages, under the row key their
  // Netflix titles give (a title tagged "(U.S.)" has a row of its own, which the crawl cannot know of).
  const keyOf = (show: (typeof onTmdb)[number]) => showIdentityKey(show.netflixName);
  const warmRows = await stack.db.db
    .selectFrom('shows')
    .selectAll()
    .where('name_key', 'in', onTmdb.map(keyOf))
    .where('tmdb_checked_at', 'is not', null)
    .where('rt_checked_at', 'is not', null)
    .execute();
  const warm = onTmdb.filter((s) => warmRows.some((r) => r.tmdb_id === s.id && r.name_key === keyOf(s)));
  console.log(`WARM crawl ${JSON.stringify(crawl)}; ${warm.length} of the viewer's ${onTmdb.length} TMDB shows warmed`);
  // The rest share their name with another TMDB show or carry a region tag: the session picks those itself.
  assert.ok(warm.length >= onTmdb.length * 0.8, `most of the viewer's shows were warmed (${warm.length} of ${onTmdb.length})`);

  stack.standins.resetStats();
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey: DATA_KEY }),
  });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 180_000);
  assert.equal(final.state, 'COMPLETED', JSON.stringify(final));

  const tmdb = stack.standins.tmdbRequestCounts();
  const rt = stack.standins.rtRequestCounts();
  const asked: string[] = [];
  for (const show of warm) {
    for (const path of [`/tv/${show.id}`, `/search/tv?query=${displayShowName(show.netflixName)}`]) if (tmdb.has(path)) asked.push(`TMDB ${path}`);
    const row = warmRows.find((r) => r.tmdb_id === show.id)!;
    const rtPath = row.rt_url ? new URL(row.rt_url).pathname : null;
    if (rtPath && rt.has(rtPath)) asked.push(`RT ${rtPath}`);
  }
  assert.deepEqual(asked, [], 'nothing asked about a pre-warmed show');
  // Nor were they looked up again: their rows are as the crawl left them.
  const after = await stack.db.db.selectFrom('shows').select(['id', 'tmdb_checked_at', 'rt_checked_at']).where('id', 'in', warmRows.map((r) => r.id)).execute();
  for (const row of after) {
    const before = warmRows.find((r) => r.id === row.id)!;
    assert.deepEqual([row.tmdb_checked_at, row.rt_checked_at], [before.tmdb_checked_at, before.rt_checked_at], `show ${row.id} untouched`);
  }
  const sessionTmdb = [...tmdb.values()].reduce((a, b) => a + b, 0);
  console.log(`WARM the session asked TMDB ${sessionTmdb} times and RT ${[...rt.values()].reduce((a, b) => a + b, 0)} times for its ${onTmdb.length - warm.length} other TMDB shows`);
  assert.ok(sessionTmdb <= 3 * (viewerShows.length - warm.length), 'only the shows the crawl left were looked up');

  // Pre-warmed or not, the report is the one the stand-in's data implies.
  const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as Report;
  const expected = expectedReport(DATA_KEY, catalog);
  assert.deepEqual(report.genres, expected.genres);
  assert.deepEqual(report.rtScore, expected.rtScore);
  assert.deepEqual(report.topShows, expected.topShows);
  assert.deepEqual(
    { name: report.crossoverStar?.name, showCount: report.crossoverStar?.showCount, shows: report.crossoverStar?.shows },
    expected.crossoverStar,
  );
  assert.deepEqual(report.dataQuality.rtMatchedBy, expected.rtMatchedBy);
});
