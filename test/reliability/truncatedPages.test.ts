// Rotten Tomatoes pages cut short (a complete HTTP answer carrying half a document) are errors the
// crawler retries, never outcomes: half a page used to read as "not on RT", silently.
// (Found by test/faults/corruptResponses.test.ts.) Before the chunk's last attempt such a show fails
// the attempt, so Temporal retries it; only the last attempt dead-letters it.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type CatalogShow, type ListeningStandin, buildCatalog, createRtStandin, listenStandin } from '../../standins/index.js';
import { insertMatchedShow, testCrawlActivities } from '../support/catalogShows.js';
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

const insertShow = (show: CatalogShow) => insertMatchedShow(db.db, catalog, show, `t${show.id}`);

test('truncated RT pages fail the attempt, then (on the last attempt) the show with a reason, never "not on RT"', async () => {
  await db.db.insertInto('sessions').values({ id: 'trunc', workflow_id: 'session-trunc', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const ids: number[] = [];
  for (const show of onRt) ids.push(await insertShow(show));
  const activities = testCrawlActivities(db.db, { rt: rt.url }, { maxRequestRetries: 1 });
  const input = { sessionId: 'trunc', parentWorkflowId: 'session-trunc', chunk: 0, showIds: ids, showCacheTtlMs: 60_000, retry: { maximumAttempts: 2, initialIntervalMs: 100 } };

  // Attempt 1 of 2: a retryable failure that says why; nothing is written off yet.
  await assert.rejects(new MockActivityEnvironment({ attempt: 1 }).run(activities.crawlShows, input), (error: Error & { type?: string; nonRetryable?: boolean }) => {
    assert.equal(error.type, 'ShowsUnfinished');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, new RegExp(`${ids.length} of ${ids.length} shows .* incomplete`));
    return true;
  });
  const pending = await db.db.selectFrom('shows').select('rt_status').where('id', 'in', ids).execute();
  assert.deepEqual(new Set(pending.map((r) => r.rt_status)), new Set(['pending']));
  assert.equal((await db.db.selectFrom('dead_letters').select('show_id').where('session_id', '=', 'trunc').execute()).length, 0);

  // Attempt 2 of 2, still broken: the shows fail with the reason and are dead-lettered.
  const broken = await new MockActivityEnvironment({ attempt: 2 }).run(activities.crawlShows, input);
  assert.deepEqual(broken, { done: ids.length, failed: ids.length });
  const failed = await db.db.selectFrom('shows').select(['rt_status', 'rt_error']).where('id', 'in', ids).execute();
  for (const row of failed) {
    assert.equal(row.rt_status, 'failed');
    assert.match(row.rt_error ?? '', /incomplete/);
  }
  assert.equal((await db.db.selectFrom('dead_letters').select('show_id').where('session_id', '=', 'trunc').execute()).length, ids.length);

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
