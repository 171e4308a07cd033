// Rotten Tomatoes pages cut short (a complete HTTP answer carrying half a document) are errors the
// crawler retries, never outcomes: half a search page used to read as "not on RT", silently.
// (Found by test/faults/corruptResponses.test.ts.)
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCrawlActivities } from '../../activities/crawl.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type CatalogShow, type ListeningStandin, buildCatalog, createRtStandin, listenStandin } from '../../src/standins/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
let rt: ListeningStandin;
const catalog = buildCatalog();
const onRt = catalog.shows.filter((s) => s.onTmdb && s.rt && s.rt.criticsScore !== null && !s.decoyOf).slice(0, 4);

before(async () => {
  db = await createTestDatabase();
  rt = await listenStandin(createRtStandin({ catalog, limits: { latencyMs: 1, jitterMs: 0, rps: 1000, burst: 1000, corruptRate: 1 } }));
});
after(async () => {
  await rt?.close();
  await db?.close();
});

async function insertShow(show: CatalogShow): Promise<number> {
  const { id } = await db.db.insertInto('shows').values({ name_key: `t${show.id}`, name: show.name, tmdb_status: 'matched', tmdb_id: show.id }).returning('id').executeTakeFirstOrThrow();
  for (const [order, member] of show.cast.entries()) {
    const actor = catalog.actorById.get(member.actorId)!;
    await db.db.insertInto('actors').values({ id: actor.id, name: actor.name, popularity: actor.popularity, profile_path: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await db.db.insertInto('show_cast').values({ show_id: id, actor_id: actor.id, character: member.character, episode_count: member.episodeCount, billing_order: order }).execute();
  }
  return id;
}

test('truncated RT pages fail the show with a reason (retryable later), never "not on RT"', async () => {
  await db.db.insertInto('sessions').values({ id: 'trunc', workflow_id: 'session-trunc', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const ids: number[] = [];
  for (const show of onRt) ids.push(await insertShow(show));
  const activities = createCrawlActivities({ db: db.db, limiter: createDbRateLimiter(db.db, {}), rtUrl: rt.url, userAgent: 'showprint-test', maxConcurrency: 4, maxRequestRetries: 1 });
  const input = { sessionId: 'trunc', parentWorkflowId: 'session-trunc', chunk: 0, showIds: ids, showCacheTtlMs: 60_000 };

  const broken = await new MockActivityEnvironment().run(activities.crawlShows, input);
  assert.deepEqual(broken, { done: ids.length, failed: ids.length });
  const failed = await db.db.selectFrom('shows').select(['rt_status', 'rt_error']).where('id', 'in', ids).execute();
  for (const row of failed) {
    assert.equal(row.rt_status, 'failed');
    assert.match(row.rt_error ?? '', /incomplete/);
  }

  // Whole pages again: the same shows get exactly the catalog's scores.
  rt.gate.setLimits({ corruptRate: 0 });
  const healed = await new MockActivityEnvironment().run(activities.crawlShows, input);
  assert.deepEqual(healed, { done: ids.length, failed: 0 });
  const rows = await db.db.selectFrom('shows').select(['id', 'rt_status', 'critics_score']).where('id', 'in', ids).orderBy('id').execute();
  rows.forEach((row, i) => {
    assert.equal(row.rt_status, 'matched');
    assert.equal(row.critics_score, onRt[i].rt!.criticsScore);
  });
});
