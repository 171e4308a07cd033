// The crawl activity against the RT stand-in over HTTP: it matches by cast, stores scores,
// and a retried attempt resumes from its heartbeat details instead of starting over.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCrawlActivities } from '../../activities/crawl.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type CatalogShow, type ListeningStandin, buildCatalog, createRtStandin, listenStandin } from '../../src/standins/index.js';
import { insertMatchedShow } from '../support/catalogShows.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
let rt: ListeningStandin;
const catalog = buildCatalog();
const onRt = catalog.shows.filter((s) => s.onTmdb && s.rt && s.rt.criticsScore !== null && !s.decoyOf).slice(0, 6);

before(async () => {
  db = await createTestDatabase();
  rt = await listenStandin(createRtStandin({ catalog, limits: { latencyMs: 1, jitterMs: 0, rps: 1000, burst: 1000 } }));
});
after(async () => {
  await rt?.close();
  await db?.close();
});

const insertShow = (show: CatalogShow) => insertMatchedShow(db.db, catalog, show, `k${show.id}`);

test('crawls search → cast-matched row → show page, and a retry resumes from its heartbeat', async () => {
  const ids = [];
  for (const show of onRt) ids.push(await insertShow(show));
  const activities = createCrawlActivities({
    db: db.db,
    limiter: createDbRateLimiter(db.db, {}),
    rtUrl: rt.url,
    userAgent: 'showprint-test',
    maxConcurrency: 4,
  });
  // A previous attempt already finished the first two shows.
  const env = new MockActivityEnvironment({ heartbeatDetails: { finishedShowIds: ids.slice(0, 2) } });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const result = await env.run(activities.crawlShows, { sessionId: 's', parentWorkflowId: 'p', chunk: 0, showIds: ids, showCacheTtlMs: 60_000 });
  assert.deepEqual(result, { done: ids.length, failed: 0 });

  const rows = await db.db.selectFrom('shows').select(['id', 'rt_status', 'critics_score', 'audience_score']).where('id', 'in', ids).orderBy('id').execute();
  // Resumed shows were not fetched again...
  assert.deepEqual(rows.slice(0, 2).map((r) => r.rt_status), ['pending', 'pending']);
  // ...and the rest carry exactly the catalog's scores.
  for (const [i, row] of rows.entries()) {
    if (i < 2) continue;
    assert.equal(row.rt_status, 'matched');
    assert.equal(row.critics_score, onRt[i].rt!.criticsScore);
    assert.equal(row.audience_score, onRt[i].rt!.audienceScore);
  }
  // Heartbeats carry the resumed shows forward, so a later retry skips them too.
  const last = heartbeats.at(-1) as { finishedShowIds: number[] };
  assert.deepEqual([...last.finishedShowIds].sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
});
