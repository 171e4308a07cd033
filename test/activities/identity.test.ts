// A show's identity from ids before names (issue 23): the Gandalf stand-in sends IMDb/TVDB ids on
// half the shows; the fetch stores them, show data finds those shows with TMDB /find instead of a
// search, the crawl asks Wikidata by IMDb id as well as TMDB id, and the report counts how each show
// was identified. Requests are counted at the stand-ins, over HTTP, through the real activities.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFetchActivities, parseActivities, storeBatch } from '../../activities/fetch.js';
import { createReportActivities } from '../../activities/report.js';
import { createShowDataActivities } from '../../activities/showData.js';
import { type GandalfActivity, createGandalfClient } from '../../src/clients/gandalf/client.js';
import { publicKeyHexFromPrivate } from '../../src/clients/gandalf/signature.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { createServiceCaller } from '../../src/clients/retry.js';
import { createTmdbClient } from '../../src/clients/tmdb.js';
import type { FetchBatchResult } from '../../src/contracts/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import type { Report } from '../../src/domain/report.js';
import { rtSlugCandidates } from '../../src/domain/rtMatch.js';
import { firstAirYear } from '../../src/domain/tmdbMatch.js';
import { type CatalogShow, subjectsFor } from '../../standins/catalog.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../standins/demoKeys.js';
import {
  type ListeningStandin, buildCatalog, createGandalfStandin, createRtStandin, createTmdbStandin, createWikidataStandin, historyFor, listenStandin, rtFactsFor,
} from '../../standins/index.js';
import type { RtStandin } from '../../standins/rt.js';
import type { TmdbStandin } from '../../standins/tmdb.js';
import { testCrawlActivities } from '../support/catalogShows.js';
import { createTestDatabase } from '../support/db.js';

const FAST = { latencyMs: 1, jitterMs: 0, rps: 5000, burst: 5000, faultRate: 0, slowRate: 0 };
const DATA_KEY = 'demo-1k';
const catalog = buildCatalog();

let db: DatabaseHandle;
let gandalf: ListeningStandin;
let tmdb: ListeningStandin & TmdbStandin;
let rt: ListeningStandin & RtStandin;
let wikidata: ListeningStandin;

before(async () => {
  db = await createTestDatabase();
  gandalf = await listenStandin(createGandalfStandin({ catalog, publicKeyHex: publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY), limits: FAST }));
  tmdb = (await listenStandin(createTmdbStandin({ catalog, apiKey: 'k', limits: FAST }))) as ListeningStandin & TmdbStandin;
  rt = (await listenStandin(createRtStandin({ catalog, limits: FAST }))) as ListeningStandin & RtStandin;
  wikidata = await listenStandin(createWikidataStandin({ catalog, limits: FAST }));
});
after(async () => {
  for (const s of [gandalf, tmdb, rt, wikidata]) await s?.close();
  await db?.close();
});

/** The session's distinct shows, as the history generator knows them. */
function historyShows(): CatalogShow[] {
  const ids = new Set(historyFor(DATA_KEY, catalog)!.flatMap((a) => (a.showId === undefined ? [] : [a.showId])));
  return [...ids].map((id) => catalog.showById.get(id)!);
}

test('shows with ids take no TMDB search, and no slug guess where Wikidata knows them; dataQuality counts them', async () => {
  const sessionId = 'ids';
  await db.db.insertInto('sessions').values({ id: sessionId, workflow_id: `session-${sessionId}`, data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const caller = createServiceCaller(createDbRateLimiter(db.db, {}));

  // Fetch: the Gandalf stand-in's pages, through the client, parsed and stored by the activity.
  const fetch = createFetchActivities({ db: db.db, caller, gandalf: createGandalfClient({ url: gandalf.url, privateKeyHex: DEMO_GANDALF_PRIVATE_KEY, timeoutMs: 5000 }) });
  const fetched: FetchBatchResult = await new MockActivityEnvironment().run(fetch.fetchHistoryBatch, { sessionId, dataKey: DATA_KEY, batch: 1, firstPage: 1, lastPage: 4, pageSize: 300 });
  const showIds = fetched.newShowIds;
  const shows = historyShows();
  assert.equal(showIds.length, shows.length);
  const withIds = shows.filter((s) => subjectsFor(s).length > 0);
  const share = withIds.length / shows.length;
  assert.ok(share > 0.35 && share < 0.65, `about half the shows carry ids: ${withIds.length} of ${shows.length}`);
  const stored = await db.db.selectFrom('show_identifiers').select(['show_id', 'identifier_type']).where('show_id', 'in', showIds).execute();
  assert.equal(stored.length, withIds.reduce((n, s) => n + subjectsFor(s).length, 0), 'every id the stand-in sent is stored once per show');

  // Show data: /find for the shows with ids, a search for the rest.
  tmdb.resetRequestCounts();
  const showData = createShowDataActivities({ db: db.db, caller, tmdb: createTmdbClient({ url: tmdb.url, apiKey: 'k', timeoutMs: 5000 }) });
  const input = { sessionId, parentWorkflowId: `session-${sessionId}`, chunk: 0, showIds, showCacheTtlMs: 0 };
  await new MockActivityEnvironment().run(showData.enrichShows, input);
  const counts = tmdb.requestCounts();
  const searched = (show: CatalogShow) => [...counts.keys()].some((k) => k.startsWith('/search/tv?query=') && k.slice('/search/tv?query='.length) === show.netflixName.replace(/\s*\([^)]*\)\s*$/, ''));
  for (const show of withIds.filter((s) => s.onTmdb)) assert.ok(!searched(show), `${show.name} has ids: no search`);
  for (const show of shows.filter((s) => subjectsFor(s).length === 0)) assert.ok(searched(show), `${show.name} has no ids: searched by name`);
  const searches = [...counts].filter(([k]) => k.startsWith('/search/tv')).reduce((n, [, c]) => n + c, 0);
  assert.equal(searches, shows.length - withIds.filter((s) => s.onTmdb).length, 'one search per show without a usable id, none for the others');

  // Every matched show now has an IMDb id: Gandalf's, else TMDB's (details' external_ids).
  const imdbRows = await db.db.selectFrom('show_identifiers').select('show_id').where('show_id', 'in', showIds).where('identifier_type', '=', 'IMDB').execute();
  assert.equal(imdbRows.length, shows.filter((s) => s.onTmdb || subjectsFor(s).some((id) => id.identifierType === 'IMDB')).length);

  // Crawl: Wikidata by TMDB id and IMDb id; a show Wikidata knows takes exactly its page.
  rt.resetRequestedPaths();
  const crawl = testCrawlActivities(db.db, { rt: rt.url, wikidata: wikidata.url });
  await new MockActivityEnvironment().run(crawl.crawlShows, input);
  const paths = new Set(rt.requestedPaths());
  const hasImdb = (s: CatalogShow) => subjectsFor(s).some((id) => id.identifierType === 'IMDB');
  const known = shows.filter((s) => {
    const f = s.onTmdb ? rtFactsFor(s) : null;
    return f && (f.wikidata.kind === 'current' || f.wikidataByImdb.kind === 'current');
  });
  assert.ok(withIds.filter((s) => known.includes(s)).length >= withIds.length * 0.7, 'most shows with ids are known to Wikidata');
  const byImdbOnly = known.filter((s) => rtFactsFor(s)!.wikidata.kind === 'unmapped');
  assert.ok(byImdbOnly.length > 0, 'some shows are found on Wikidata by their IMDb id alone');
  for (const show of known) {
    const page = `/tv/${rtFactsFor(show)!.slug}`;
    assert.ok(paths.has(page), `${show.name}: its page`);
    const guesses = rtSlugCandidates({ name: show.name, originalName: show.originalName, firstAirYear: firstAirYear(show.firstAirDate) })
      .map((c) => `/${c.rtId}`)
      .filter((p) => p !== page && paths.has(p));
    assert.deepEqual(guesses, [], `${show.name}: no slug guess`);
  }
  const rows = await db.db.selectFrom('shows').select(['id', 'tmdb_id', 'rt_match']).where('id', 'in', showIds).execute();
  for (const show of byImdbOnly) assert.equal(rows.find((r) => r.tmdb_id === show.id)?.rt_match, 'wikidata', `${show.name}: via Wikidata by IMDb id`);

  // The report counts how each show was identified.
  const { buildReport } = createReportActivities({ db: db.db });
  await buildReport({ sessionId, crawlComplete: true });
  const { report } = await db.db.selectFrom('report_versions').select('report').where('session_id', '=', sessionId).executeTakeFirstOrThrow();
  const onTmdb = shows.filter((s) => s.onTmdb);
  assert.deepEqual((report as Report).dataQuality.identifiedBy, {
    imdb: onTmdb.filter(hasImdb).length,
    tvdb: onTmdb.filter((s) => subjectsFor(s).length > 0 && !hasImdb(s)).length,
    name: onTmdb.filter((s) => subjectsFor(s).length === 0).length,
  });
});

test("a show's ids: the first of each type is kept, across activities and batches; films and shows without ids store none", async () => {
  const sessionId = 'ids-store';
  await db.db.insertInto('sessions').values({ id: sessionId, workflow_id: `session-${sessionId}`, data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const act = (id: string, title: string, identifiers: GandalfActivity['identifiers']) => ({ id, title, date: '8/14/2025', identifiers });
  await storeBatch(db.db, sessionId, 1, parseActivities([
    act('a1', 'Harbor Lights: Season 1: Pilot', []),
    act('a2', 'Harbor Lights: Season 1: Episode 2', [{ value: 'tt7000001', identifierType: 'IMDB' }]),
    act('a3', 'Harbor Lights: Season 1: Episode 3', [{ value: 'tt7000002', identifierType: 'IMDB' }, { value: '400001', identifierType: 'TVDB' }]),
    act('a4', 'Quiet Acre: Season 1: Episode 1', []),
    act('a5', 'Glass Onion: A Knives Out Mystery', [{ value: 'tt11564570', identifierType: 'IMDB' }]),
  ]));
  // A later batch adds a type the show lacked and changes none it has.
  await storeBatch(db.db, sessionId, 2, parseActivities([
    act('b1', 'Harbor Lights: Season 2: Episode 1', [{ value: 'tt7000003', identifierType: 'IMDB' }, { value: '55501', identifierType: 'TVMAZE' }]),
  ]));
  const rows = await db.db
    .selectFrom('show_identifiers')
    .innerJoin('session_shows', 'session_shows.show_id', 'show_identifiers.show_id')
    .innerJoin('shows', 'shows.id', 'show_identifiers.show_id')
    .select(['shows.name', 'show_identifiers.identifier_type', 'show_identifiers.value'])
    .where('session_shows.session_id', '=', sessionId)
    .orderBy('shows.name')
    .orderBy('show_identifiers.identifier_type')
    .execute();
  assert.deepEqual(rows.map((r) => [r.name, r.identifier_type, r.value]), [
    ['Harbor Lights', 'IMDB', 'tt7000001'],
    ['Harbor Lights', 'TVDB', '400001'],
    ['Harbor Lights', 'TVMAZE', '55501'],
  ]);
});
