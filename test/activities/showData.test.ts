// The show-data activity against the TMDB stand-in over HTTP. A show that fails transiently fails
// the attempt (Temporal retries it later, with backoff) instead of being dead-lettered at once; a
// retry redoes only the unfinished shows; the chunk's last attempt dead-letters what still fails.
// A TMDB answer that does not fit its schema goes the same way, its sample kept in the dead letter.
// Region-tagged titles become their own shows and match the TMDB show of their country.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { parseActivities, storeBatch } from '../../activities/fetch.js';
import { createShowDataActivities } from '../../activities/showData.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { DEFAULT_RETRY, createServiceCaller } from '../../src/clients/retry.js';
import { createTmdbClient } from '../../src/clients/tmdb.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type ListeningStandin, buildCatalog, createTmdbStandin, listenStandin } from '../../standins/index.js';
import type { ChunkInput, ChunkOutcome } from '../../src/contracts/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
let tmdb: ListeningStandin;
const catalog = buildCatalog();
const shows = catalog.shows.filter((s) => s.onTmdb && !s.decoyOf).slice(0, 5);

before(async () => {
  db = await createTestDatabase();
  tmdb = await listenStandin(createTmdbStandin({ catalog, apiKey: 'k', limits: { latencyMs: 1, jitterMs: 0, rps: 1000, burst: 1000 } }));
  await db.db.insertInto('sessions').values({ id: 'sd', workflow_id: 'session-sd', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
});
after(async () => {
  await tmdb?.close();
  await db?.close();
});

function activities(url = tmdb.url) {
  const limiter = createDbRateLimiter(db.db, {});
  return createShowDataActivities({
    db: db.db,
    tmdb: createTmdbClient({ url, apiKey: 'k', timeoutMs: 2_000 }),
    // One request per call: the activity's own attempts are what is under test.
    caller: createServiceCaller(limiter, undefined, { ...DEFAULT_RETRY, attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }),
  });
}

const deadLetters = async () => (await db.db.selectFrom('dead_letters').select(['show_id', 'error']).where('session_id', '=', 'sd').execute());
const statuses = async (ids: number[]) =>
  (await db.db.selectFrom('shows').select(['id', 'tmdb_status']).where('id', 'in', ids).orderBy('id').execute()).map((r) => r.tmdb_status);

test('transient TMDB failures fail the attempt, a retry redoes only the unfinished shows, the last attempt dead-letters', async () => {
  const ids: number[] = [];
  for (const show of shows) {
    const { id } = await db.db.insertInto('shows').values({ name_key: `sd${show.id}`, name: show.name }).returning('id').executeTakeFirstOrThrow();
    ids.push(id);
  }
  const input: ChunkInput = { sessionId: 'sd', parentWorkflowId: 'session-sd', chunk: 0, showIds: ids, showCacheTtlMs: 0, retry: { maximumAttempts: 3, initialIntervalMs: 100 } };
  const { enrichShows } = activities();

  // Attempt 1: TMDB answers 500 to everything. A retryable failure that says why; nothing written off.
  tmdb.gate.setLimits({ faultRate: 1 });
  await assert.rejects(new MockActivityEnvironment({ attempt: 1 }).run(enrichShows, input), (error: Error & { type?: string; nonRetryable?: boolean }) => {
    assert.equal(error.type, 'ShowsUnfinished');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /5 of 5 shows could not be looked up on TMDB this attempt; first error: TMDB answered HTTP 5\d\d/);
    return true;
  });
  assert.deepEqual(await deadLetters(), []);
  assert.ok((await statuses(ids)).every((s) => s !== 'failed'), 'no show marked failed before the last attempt');

  // Attempt 2 resumes from heartbeat details saying an earlier attempt matched the first two shows
  // (the cache is off, TTL 0, so only the details can skip them). TMDB is healthy again.
  tmdb.gate.setLimits({ faultRate: 0 });
  const before = tmdb.gate.stats().requests;
  const resumed = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { finished: [[ids[0], 'matched'], [ids[1], 'matched']] } });
  const heartbeats: { finished: [number, string][] }[] = [];
  resumed.on('heartbeat', (d: { finished: [number, string][] }) => heartbeats.push(d));
  const outcome = await resumed.run(enrichShows, input);
  assert.deepEqual(outcome, { done: 5, failed: 0, matchedShowIds: ids });
  assert.equal(tmdb.gate.stats().requests - before, 3 * 2, 'search + details for the three unfinished shows only');
  assert.deepEqual(new Set(heartbeats.at(-1)!.finished.map(([id]) => id)), new Set(ids));
  assert.deepEqual(await statuses(ids.slice(2)), ['matched', 'matched', 'matched']);

  // The last attempt (3 of 3) with TMDB failing: now the shows are dead-lettered with the reason.
  tmdb.gate.setLimits({ faultRate: 1 });
  const last = await new MockActivityEnvironment({ attempt: 3 }).run(enrichShows, input);
  assert.deepEqual(last, { done: 5, failed: 5, matchedShowIds: [] });
  const letters = await deadLetters();
  assert.deepEqual(letters.map((l) => l.show_id).sort((a, b) => a - b), ids);
  assert.ok(letters.every((l) => /HTTP 5\d\d/.test(l.error)));
  assert.deepEqual(await statuses(ids), ['failed', 'failed', 'failed', 'failed', 'failed']);
});

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tmdb/${name}`, import.meta.url), 'utf8');

/** A TMDB that answers from our fixtures: path → body (404 otherwise); counts requests per path. */
async function fixtureTmdb(bodies: Record<string, string>): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = bodies[path];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{"status_code":34,"success":false}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('a TMDB answer with a wrong field type is retried with the chunk, then dead-lettered with a sample; no row is written from it', async () => {
  await db.db.insertInto('sessions').values({ id: 'bad', workflow_id: 'session-bad', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const server = await fixtureTmdb({ '/3/search/tv': fixture('search-tv.json'), '/3/tv/64187': fixture('tv-details-bad-type.json') });
  try {
    const { id } = await db.db.insertInto('shows').values({ name_key: 'bad big brother [us]', name: 'Big Brother', region: 'US' }).returning('id').executeTakeFirstOrThrow();
    const input: ChunkInput = { sessionId: 'bad', parentWorkflowId: 'session-bad', chunk: 0, showIds: [id], showCacheTtlMs: 0, retry: { maximumAttempts: 3, initialIntervalMs: 100 } };
    const { enrichShows } = activities(server.url);
    for (const attempt of [1, 2]) {
      await assert.rejects(new MockActivityEnvironment({ attempt }).run(enrichShows, input), (error: Error & { type?: string; nonRetryable?: boolean }) => {
        assert.equal(error.type, 'ShowsUnfinished');
        assert.equal(error.nonRetryable, false, 'retryable: a bad answer is transient');
        assert.match(error.message, /first error: TMDB answered \/tv\/64187 with an unexpected shape at number_of_episodes: /);
        return true;
      });
      assert.equal((await db.db.selectFrom('dead_letters').select('show_id').where('session_id', '=', 'bad').execute()).length, 0);
    }
    assert.equal(server.hits.get('/3/tv/64187'), 2, 'each attempt asked TMDB again');

    const last = await new MockActivityEnvironment({ attempt: 3 }).run(enrichShows, input);
    assert.deepEqual(last, { done: 1, failed: 1, matchedShowIds: [] });
    const [letter] = await db.db.selectFrom('dead_letters').select(['show_id', 'stage', 'error']).where('session_id', '=', 'bad').execute();
    assert.equal(letter.show_id, id);
    assert.equal(letter.stage, 'showData');
    assert.match(letter.error, /unexpected shape at number_of_episodes: .*; sample: .*"number_of_episodes": "ten"/);
    const sample = letter.error.slice(letter.error.indexOf('; sample: ') + 10);
    assert.ok(sample.length <= 200, `sample of ${sample.length} chars`);
    const show = await db.db.selectFrom('shows').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual([show.tmdb_status, show.tmdb_id, show.number_of_episodes, show.name], ['failed', null, null, 'Big Brother']);
    assert.match(show.tmdb_error ?? '', /number_of_episodes/);
    assert.equal((await db.db.selectFrom('show_genres').select('genre').where('show_id', '=', id).execute()).length, 0);
    assert.equal((await db.db.selectFrom('show_cast').select('actor_id').where('show_id', '=', id).execute()).length, 0);
  } finally {
    await server.close();
  }
});

test('region tags: "Big Brother (U.S.)" and "Big Brother (UK)" are two shows, each matched to its own country', async () => {
  await db.db.insertInto('sessions').values({ id: 'rg', workflow_id: 'session-rg', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const british = JSON.parse(fixture('tv-details.json')) as Record<string, unknown>;
  Object.assign(british, { id: 64211, origin_country: ['GB'], number_of_episodes: 312 });
  const server = await fixtureTmdb({ '/3/search/tv': fixture('search-tv.json'), '/3/tv/64187': fixture('tv-details.json'), '/3/tv/64211': JSON.stringify(british) });
  try {
    const titles = ['Big Brother (U.S.): Season 27: Episode 12', 'Big Brother (UK): Series 1: Episode 3', 'Big Brother (U.K.): Series 1: Episode 4'];
    await storeBatch(db.db, 'rg', 1, parseActivities(titles.map((title, i) => ({ id: `rg-${i}`, title, date: '8/14/2025', identifiers: [] }))));
    const rows = await db.db
      .selectFrom('shows')
      .innerJoin('session_shows', 'session_shows.show_id', 'shows.id')
      .select(['shows.id', 'shows.name_key', 'shows.name', 'shows.region'])
      .where('session_shows.session_id', '=', 'rg')
      .orderBy('shows.name_key')
      .execute();
    assert.deepEqual(rows.map((r) => [r.name_key, r.name, r.region]), [
      ['big brother [gb]', 'Big Brother', 'GB'],
      ['big brother [us]', 'Big Brother', 'US'],
    ]);
    const input: ChunkInput = { sessionId: 'rg', parentWorkflowId: 'session-rg', chunk: 0, showIds: rows.map((r) => r.id), showCacheTtlMs: 0, retry: { maximumAttempts: 3, initialIntervalMs: 100 } };
    const outcome: ChunkOutcome = await new MockActivityEnvironment({ attempt: 1 }).run(activities(server.url).enrichShows, input);
    assert.equal(outcome.done, 2);
    const matched = await db.db.selectFrom('shows').select(['name_key', 'tmdb_id', 'number_of_episodes']).where('id', 'in', input.showIds).orderBy('name_key').execute();
    assert.deepEqual(matched.map((r) => [r.name_key, r.tmdb_id, r.number_of_episodes]), [
      ['big brother [gb]', 64211, 312],
      ['big brother [us]', 64187, 893],
    ]);
  } finally {
    await server.close();
  }
});

test('the stand-in\'s region twins: a tagged show stored by the fetch matches the real show, not its more popular twin', async () => {
  await db.db.insertInto('sessions').values({ id: 'tw', workflow_id: 'session-tw', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  tmdb.gate.setLimits({ faultRate: 0 });
  const reals = catalog.shows.filter((s) => s.decoyBy === 'region').slice(0, 6).map((t) => catalog.showById.get(t.decoyOf!)!);
  const activitiesSeen = reals.map((real, i) => {
    const season = real.seasons[0];
    const [y, m, d] = real.firstAirDate.split('-').map(Number);
    return { id: `tw-${i}`, title: `${real.netflixName}: ${season.label}: ${season.episodes[0]}`, date: `${m}/${d}/${y + 1}`, identifiers: [] };
  });
  await storeBatch(db.db, 'tw', 1, parseActivities(activitiesSeen));
  const rows = await db.db
    .selectFrom('shows')
    .innerJoin('session_shows', 'session_shows.show_id', 'shows.id')
    .select(['shows.id', 'shows.name_key', 'shows.region'])
    .where('session_shows.session_id', '=', 'tw')
    .execute();
  assert.equal(rows.length, reals.length);
  assert.ok(rows.every((r) => r.region !== null && r.name_key.endsWith(` [${r.region.toLowerCase()}]`)));
  const input: ChunkInput = { sessionId: 'tw', parentWorkflowId: 'session-tw', chunk: 0, showIds: rows.map((r) => r.id), showCacheTtlMs: 0, retry: { maximumAttempts: 3, initialIntervalMs: 100 } };
  const outcome: ChunkOutcome = await new MockActivityEnvironment({ attempt: 1 }).run(activities().enrichShows, input);
  assert.equal(outcome.matchedShowIds.length, reals.length);
  const ids = await db.db.selectFrom('shows').select('tmdb_id').where('id', 'in', input.showIds).execute();
  assert.deepEqual(new Set(ids.map((r) => r.tmdb_id)), new Set(reals.map((r) => r.id)));
});
