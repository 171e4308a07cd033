// The crawl activity against the RT and Wikidata stand-ins over HTTP: it never asks /search, finds
// pages through Wikidata first and slug guesses second (a stale id falls through), stores the
// catalog's scores in either markup era, settles absent shows as not on RT, dead-letters what
// robots.txt forbids, and a retried attempt resumes from its heartbeat details.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import express from 'express';
import type { DatabaseHandle } from '../../src/db/index.js';
import { rtSlugCandidates } from '../../src/domain/rtMatch.js';
import { type CatalogShow, type ListeningStandin, buildCatalog, createRtStandin, createWikidataStandin, listenStandin, rtFactsFor } from '../../standins/index.js';
import type { RtStandin } from '../../standins/rt.js';
import type { ServiceThrottled } from '../../src/contracts/index.js';
import { insertMatchedShow, testCrawlActivities } from '../support/catalogShows.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
let rt: ListeningStandin & RtStandin;
let wikidata: ListeningStandin;
const catalog = buildCatalog();
const FAST = { latencyMs: 1, jitterMs: 0, rps: 1000, burst: 1000 };
const candidates = catalog.shows.filter((s) => s.onTmdb && !s.decoyOf);
const byWikidata = (kind: string) => candidates.filter((s) => rtFactsFor(s)?.wikidata.kind === kind);
const mapped = byWikidata('current').filter((s) => s.rt!.criticsScore !== null).slice(0, 4);
const unmapped = byWikidata('unmapped').slice(0, 3);
const stale = byWikidata('stale').slice(0, 2);
const notOnRt = candidates.filter((s) => s.rt === null).slice(0, 2);

before(async () => {
  db = await createTestDatabase();
  rt = (await listenStandin(createRtStandin({ catalog, limits: FAST }))) as ListeningStandin & RtStandin;
  wikidata = await listenStandin(createWikidataStandin({ catalog, limits: FAST }));
});
after(async () => {
  await rt?.close();
  await wikidata?.close();
  await db?.close();
});
beforeEach(() => rt.resetRequestedPaths());

let keys = 0;
const insertShows = (shows: CatalogShow[]) => Promise.all(shows.map((show) => insertMatchedShow(db.db, catalog, show, `k${keys++}-${show.id}`)));
const input = (showIds: number[], sessionId = 's') => ({ sessionId, parentWorkflowId: `session-${sessionId}`, chunk: 0, showIds, showCacheTtlMs: 0 });
/** The shows' RT columns, in the order of `ids`. */
async function rowsOf(ids: number[]) {
  const rows = await db.db.selectFrom('shows').select(['id', 'rt_status', 'rt_match', 'rt_url', 'rt_error', 'critics_score', 'audience_score']).where('id', 'in', ids).execute();
  return ids.map((id) => rows.find((r) => r.id === id)!);
}

test('Wikidata ids first, slug guesses for unmapped and stale ones, not on RT for the rest; /search is never asked', async () => {
  const shows = [...mapped, ...unmapped, ...stale, ...notOnRt];
  assert.ok(mapped.length === 4 && unmapped.length === 3 && stale.length === 2 && notOnRt.length === 2, 'the catalog has every kind of show');
  const ids = await insertShows(shows);
  const crawl = testCrawlActivities(db.db, { rt: rt.url, wikidata: wikidata.url });
  const result = await new MockActivityEnvironment().run(crawl.crawlShows, input(ids));
  assert.deepEqual(result, { done: ids.length, failed: 0 });

  const rows = new Map((await rowsOf(ids)).map((r) => [r.id, r]));
  const expectMatch = (show: CatalogShow, i: number, match: string) => {
    const row = rows.get(ids[i])!;
    assert.equal(row.rt_status, 'matched', show.name);
    assert.equal(row.rt_match, match, show.name);
    assert.equal(row.critics_score, show.rt!.criticsScore, show.name);
    assert.equal(row.audience_score, show.rt!.audienceScore, show.name);
    assert.equal(row.rt_url, `${rt.url}/tv/${rtFactsFor(show)!.slug}`);
  };
  mapped.forEach((s, i) => expectMatch(s, i, 'wikidata'));
  unmapped.forEach((s, i) => expectMatch(s, mapped.length + i, 'slug'));
  stale.forEach((s, i) => expectMatch(s, mapped.length + unmapped.length + i, 'slug'));
  for (const id of ids.slice(-notOnRt.length)) assert.deepEqual([rows.get(id)!.rt_status, rows.get(id)!.rt_match], ['not_found', 'not_found']);

  const paths = rt.requestedPaths();
  assert.ok(!paths.some((p) => p.startsWith('/search')), `no /search request: ${paths.join(' ')}`);
  // The stale ids were tried (and 404ed) before their slug was.
  for (const s of stale) {
    const w = rtFactsFor(s)!.wikidata;
    assert.ok(w.kind === 'stale' && paths.includes(`/${w.rtIds[0]}`), `the stale id of ${s.name} was tried`);
  }
});

test('RT refusing us for pace with text/plain, JSON or empty bodies: every show is read, no retry is spent, nothing dead-lettered', async (t) => {
  for (const body of ['text', 'json', 'empty'] as const) {
    await db.db.deleteFrom('rate_limits').where('service', '=', 'rt').execute(); // nothing learned from the last round
    // A CDN in front of RT: 4 requests a second, no burst, refusals without Retry-After; the app asks at 20/s.
    const throttled = await listenStandin(createRtStandin({ catalog, limits: { latencyMs: 1, jitterMs: 0, rps: 4, burst: 1, refusal: { body, retryAfter: false } } }));
    try {
      const shows = [...mapped, ...unmapped];
      const ids = await insertShows(shows);
      // No retries at all: a refusal that spent one would fail its show.
      const crawl = testCrawlActivities(db.db, { rt: throttled.url, wikidata: wikidata.url }, { maxRequestRetries: 0, rtRps: 20 });
      assert.deepEqual(await new MockActivityEnvironment().run(crawl.crawlShows, input(ids)), { done: ids.length, failed: 0 }, body);
      const rows = await rowsOf(ids);
      assert.deepEqual(rows.map((r) => [r.rt_status, r.critics_score, r.audience_score]), shows.map((s) => ['matched', s.rt!.criticsScore, s.rt!.audienceScore]), body);
      const stats = throttled.gate.stats();
      t.diagnostic(`${body}: ${stats.rateLimited} of ${stats.requests} RT requests refused`);
      assert.ok(stats.rateLimited > 0, `${body}: RT refused some requests`);
    } finally {
      await throttled.close();
    }
  }
});

test('an RT outage (only 503s) past the patience: the crawl waits, tells the session, and reads every show once RT is back', async () => {
  await db.db.deleteFrom('rate_limits').where('service', '=', 'rt').execute();
  // RT answers its robots.txt (the first request), then nothing but text/plain 503s for 3 s.
  const down = await listenStandin(createRtStandin({ catalog, limits: { ...FAST, outage: { afterRequests: 2, durationMs: 3_000 }, refusal: { body: 'text', retryAfter: false } } }));
  try {
    const ids = await insertShows(mapped);
    const reports: ServiceThrottled[] = [];
    const crawl = testCrawlActivities(db.db, { rt: down.url, wikidata: wikidata.url }, {
      maxRequestRetries: 0,
      rtRps: 20,
      throttlePatienceMs: 1_000,
      reportThrottled: async (workflowId, report) => void reports.push({ ...report, workflowId } as ServiceThrottled),
    });
    assert.deepEqual(await new MockActivityEnvironment().run(crawl.crawlShows, input(ids)), { done: ids.length, failed: 0 });
    assert.deepEqual((await rowsOf(ids)).map((r) => [r.rt_status, r.critics_score]), mapped.map((s) => ['matched', s.rt!.criticsScore]));
    assert.ok(down.gate.stats().unavailable > 0, 'RT was down for a while');
    // Told once when the patience ran out, and once when RT answered again; to the session's workflow id.
    assert.deepEqual(reports.map((r) => [r.service, r.throttled, (r as { workflowId?: string }).workflowId]), [['rt', true, 'session-s'], ['rt', false, 'session-s']]);
  } finally {
    await down.close();
  }
});

test('2025 and 2026 markup give the same stored scores', async () => {
  const shows = [...mapped, ...unmapped];
  const scores: unknown[] = [];
  // No aggregateRating, no scorecard JSON: the stored scores can only come from the era's slots.
  rt.setStructuredScores(false);
  try {
    for (const era of ['2025', '2026'] as const) {
      rt.setEra(era);
      const ids = await insertShows(shows);
      const crawl = testCrawlActivities(db.db, { rt: rt.url, wikidata: wikidata.url });
      await new MockActivityEnvironment().run(crawl.crawlShows, input(ids));
      scores.push((await rowsOf(ids)).map((r) => [r.rt_status, r.critics_score, r.audience_score]));
    }
  } finally {
    rt.setEra(undefined);
    rt.setStructuredScores(true);
  }
  assert.deepEqual(scores[0], scores[1]);
  assert.deepEqual(scores[0], shows.map((s) => ['matched', s.rt!.criticsScore, s.rt!.audienceScore]));
});

test('without Wikidata, slug guesses alone find the pages', async () => {
  const ids = await insertShows(mapped);
  const crawl = testCrawlActivities(db.db, { rt: rt.url });
  await new MockActivityEnvironment().run(crawl.crawlShows, input(ids));
  const rows = await rowsOf(ids);
  assert.deepEqual(rows.map((r) => [r.rt_match, r.critics_score]), mapped.map((s) => ['slug', s.rt!.criticsScore]));
});

test('a retry resumes from its heartbeat: finished shows are not crawled again', async () => {
  const ids = await insertShows(mapped);
  const crawl = testCrawlActivities(db.db, { rt: rt.url, wikidata: wikidata.url });
  const env = new MockActivityEnvironment({ heartbeatDetails: { finishedShowIds: ids.slice(0, 2) } });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  assert.deepEqual(await env.run(crawl.crawlShows, input(ids)), { done: ids.length, failed: 0 });
  const rows = await rowsOf(ids);
  assert.deepEqual(rows.slice(0, 2).map((r) => r.rt_status), ['pending', 'pending']);
  assert.deepEqual(rows.slice(2).map((r) => r.rt_status), ['matched', 'matched']);
  const last = heartbeats.at(-1) as { finishedShowIds: number[] };
  assert.deepEqual([...last.finishedShowIds].sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
});

test('a page robots.txt forbids is dead-lettered with that reason, never requested, never silently failed', async () => {
  // An RT whose robots.txt forbids the show pages: whatever we would ask for is off limits.
  const asked: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    asked.push(req.path);
    next();
  });
  app.get('/robots.txt', (_req, res) => res.type('text/plain').send('User-agent: *\nDisallow: /tv/\n'));
  app.use((_req, res) => res.status(404).send('<html></html>'));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await db.db.insertInto('sessions').values({ id: 'robots', workflow_id: 'session-robots', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
    const ids = await insertShows(mapped.slice(0, 2));
    const crawl = testCrawlActivities(db.db, { rt: url, wikidata: wikidata.url });
    const result = await new MockActivityEnvironment().run(crawl.crawlShows, input(ids, 'robots'));
    assert.deepEqual(result, { done: 2, failed: 2 });
    assert.deepEqual(asked, ['/robots.txt'], 'only robots.txt was requested');
    for (const row of await rowsOf(ids)) {
      assert.equal(row.rt_status, 'failed');
      assert.match(row.rt_error ?? '', /^robots\.txt disallows \/tv\//);
    }
    const letters = await db.db.selectFrom('dead_letters').select(['show_id', 'stage', 'error']).where('session_id', '=', 'robots').execute();
    assert.equal(letters.length, 2);
    for (const l of letters) {
      assert.equal(l.stage, 'crawl');
      assert.match(l.error, /^robots\.txt disallows \/tv\//);
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('fewer requests: a show off RT takes no `_<year>` guess; a colliding title takes its year form once the bare slug shows another show', async () => {
  const offRt = candidates.filter((s) => s.rt === null && !/\(\d{4}\)$/.test(s.name)).slice(0, 3);
  // Its bare slug is another show's page: RT gave this one `<slug>_<year>`.
  const colliding = catalog.shows.filter((s) => s.onTmdb && s.rt !== null && /_\d{4}$/.test(rtFactsFor(s)!.slug)).slice(0, 2);
  assert.ok(offRt.length === 3 && colliding.length > 0, 'the catalog has both kinds');
  const ids = await insertShows([...offRt, ...colliding]);
  const crawl = testCrawlActivities(db.db, { rt: rt.url });
  await new MockActivityEnvironment().run(crawl.crawlShows, input(ids));
  const rows = await rowsOf(ids);
  const paths = rt.requestedPaths();
  for (const [i, show] of offRt.entries()) {
    assert.equal(rows[i]!.rt_status, 'not_found', show.name);
    const all = rtSlugCandidates({ name: show.name, originalName: show.originalName, firstAirYear: Number(show.firstAirDate.slice(0, 4)) });
    assert.ok(all.some((c) => c.ifTaken), `${show.name} has year forms to skip`);
    for (const c of all) assert.equal(paths.includes(`/${c.rtId}`), !c.ifTaken, `${show.name}: ${c.rtId}`);
  }
  for (const [i, show] of colliding.entries()) {
    const slug = rtFactsFor(show)!.slug;
    assert.deepEqual([rows[offRt.length + i]!.rt_status, rows[offRt.length + i]!.rt_url], ['matched', `${rt.url}/tv/${slug}`], show.name);
    assert.ok(paths.includes(`/tv/${slug.replace(/_\d{4}$/, '')}`), `${show.name}: the bare slug was asked first`);
  }
});

test('two sessions crawling overlapping shows at once: each RT page is asked for once, and both sessions get every verdict', async () => {
  // RT slow enough that the two crawls overlap.
  const slow = (await listenStandin(createRtStandin({ catalog, limits: { ...FAST, latencyMs: 60 } }))) as ListeningStandin & RtStandin;
  try {
    const shows = [...mapped, ...unmapped];
    const ids = await insertShows(shows);
    // s1 has the first five, s2 the last five: three in common.
    const [first, second] = [ids.slice(0, 5), ids.slice(2)];
    const crawl = testCrawlActivities(db.db, { rt: slow.url, wikidata: wikidata.url });
    const results = await Promise.all([new MockActivityEnvironment().run(crawl.crawlShows, input(first, 's1')), new MockActivityEnvironment().run(crawl.crawlShows, input(second, 's2'))]);
    assert.deepEqual(results, [
      { done: 5, failed: 0 },
      { done: 5, failed: 0 },
    ]);
    const asked = [...slow.requestCounts()].filter(([path]) => path !== '/robots.txt');
    assert.ok(asked.length >= shows.length, 'every show asked for');
    assert.deepEqual(asked.filter(([, count]) => count > 1), [], 'no page asked for twice');
    assert.deepEqual((await rowsOf(ids)).map((r) => r.rt_status), shows.map(() => 'matched'));
  } finally {
    await slow.close();
  }
});

test('a catalog crawl chunk neither waits on nor takes lookup claims (it gives way to viewers while it holds its shows)', async () => {
  const ids = await insertShows(mapped.slice(0, 1));
  // A viewer's chunk holds the show for a minute.
  await db.db.insertInto('lookup_claims').values({ service: 'rt', show_id: ids[0]!, owner: 'rt:viewer:0#x', expires_at: new Date(Date.now() + 60_000) }).execute();
  const crawl = testCrawlActivities(db.db, { rt: rt.url, wikidata: wikidata.url });
  const started = Date.now();
  assert.deepEqual(await new MockActivityEnvironment().run(crawl.crawlShows, input(ids, 'catalog:test-crawl')), { done: 1, failed: 0 });
  assert.ok(Date.now() - started < 20_000, 'it did not wait for the claim');
  assert.equal((await rowsOf(ids))[0]!.rt_status, 'matched');
  assert.deepEqual((await db.db.selectFrom('lookup_claims').select('owner').where('show_id', '=', ids[0]!).execute()).map((r) => r.owner), ['rt:viewer:0#x']);
});
