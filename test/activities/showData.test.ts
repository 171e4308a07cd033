// The show-data activity against the TMDB stand-in over HTTP. A show that fails transiently fails
// the attempt (Temporal retries it later, with backoff) instead of being dead-lettered at once; a
// retry redoes only the unfinished shows; the chunk's last attempt dead-letters what still fails.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createShowDataActivities } from '../../activities/showData.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { createServiceCaller } from '../../src/clients/retry.js';
import { createTmdbClient } from '../../src/clients/tmdb.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type ListeningStandin, buildCatalog, createTmdbStandin, listenStandin } from '../../src/standins/index.js';
import type { ChunkInput } from '../../workflows/types.js';
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

function activities() {
  const limiter = createDbRateLimiter(db.db, {});
  return createShowDataActivities({
    db: db.db,
    tmdb: createTmdbClient({ url: tmdb.url, apiKey: 'k', timeoutMs: 2_000 }),
    // One request per call: the activity's own attempts are what is under test.
    caller: createServiceCaller(limiter, undefined, { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }),
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
