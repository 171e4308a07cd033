// Single-flight lookups across sessions (src/db/lookupClaims.ts), against the TMDB stand-in over
// HTTP: two sessions enriching overlapping shows at the same moment ask TMDB once per distinct show
// (the second waits for the first one's stored outcome), and a claim whose holder died expires, after
// which the waiting session looks the show up itself.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createShowDataActivities } from '../../activities/showData.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { DEFAULT_RETRY, createServiceCaller } from '../../src/clients/retry.js';
import { createTmdbClient } from '../../src/clients/tmdb.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { type ListeningStandin, buildCatalog, createTmdbStandin, listenStandin } from '../../standins/index.js';
import type { ChunkInput } from '../../src/contracts/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
let tmdb: ListeningStandin;
const catalog = buildCatalog();
const shows = catalog.shows.filter((s) => s.onTmdb && !s.decoyOf).slice(0, 13);

before(async () => {
  db = await createTestDatabase();
  // Slow enough that the two sessions' lookups overlap.
  tmdb = await listenStandin(createTmdbStandin({ catalog, apiKey: 'k', limits: { latencyMs: 80, jitterMs: 0, rps: 1000, burst: 1000 } }));
  for (const id of ['a', 'b', 'c']) {
    await db.db.insertInto('sessions').values({ id, workflow_id: `session-${id}`, data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  }
});
after(async () => {
  await tmdb?.close();
  await db?.close();
});

function enrichShows(claims?: { ttlMs: number; pollMs: number }, url = tmdb.url) {
  return createShowDataActivities({
    db: db.db,
    tmdb: createTmdbClient({ url, apiKey: 'k', timeoutMs: 5_000 }),
    caller: createServiceCaller(createDbRateLimiter(db.db, {}), undefined, { ...DEFAULT_RETRY, attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }),
    claims,
  }).enrichShows;
}

const input = (sessionId: string, showIds: number[]): ChunkInput => ({ sessionId, parentWorkflowId: `session-${sessionId}`, chunk: 0, showIds, showCacheTtlMs: 0 });

async function insertShows(list: typeof shows, prefix: string) {
  const ids: number[] = [];
  for (const show of list) ids.push((await db.db.insertInto('shows').values({ name_key: `${prefix}${show.id}`, name: show.name }).returning('id').executeTakeFirstOrThrow()).id);
  return ids;
}

test('two sessions starting together on overlapping shows: TMDB is asked once per distinct show', async () => {
  const ids = await insertShows(shows.slice(0, 10), 'sf');
  // a has shows 0–7, b has 2–9: six in common, ten distinct. Each show costs search + details.
  const [forA, forB] = [ids.slice(0, 8), ids.slice(2)];
  const before = tmdb.gate.stats().requests;
  const [a, b] = await Promise.all([new MockActivityEnvironment().run(enrichShows(), input('a', forA)), new MockActivityEnvironment().run(enrichShows(), input('b', forB))]);
  assert.equal(tmdb.gate.stats().requests - before, 10 * 2, 'search + details once for each of the ten distinct shows');
  assert.deepEqual(a, { done: 8, failed: 0, matchedShowIds: forA });
  assert.deepEqual(b, { done: 8, failed: 0, matchedShowIds: forB });
  assert.equal((await db.db.selectFrom('lookup_claims').select('show_id').execute()).length, 0, 'every claim released');
});

test('a claim whose holder died expires, and the waiting session looks the show up itself', async () => {
  const [id] = await insertShows(shows.slice(10, 11), 'dead');
  // A holder that never finishes: its claim is not renewed and runs out in 400 ms.
  await db.db.insertInto('lookup_claims').values({ service: 'tmdb', show_id: id!, owner: 'a worker that died', expires_at: new Date(Date.now() + 400) }).execute();
  const before = tmdb.gate.stats().requests;
  const started = Date.now();
  const outcome = await new MockActivityEnvironment().run(enrichShows({ ttlMs: 5_000, pollMs: 50 }), input('c', [id!]));
  assert.deepEqual(outcome, { done: 1, failed: 0, matchedShowIds: [id] });
  assert.ok(Date.now() - started >= 300, 'it waited for the claim to run out');
  assert.equal(tmdb.gate.stats().requests - before, 2, 'then looked the show up itself');
  assert.equal((await db.db.selectFrom('shows').select('tmdb_status').where('id', '=', id!).executeTakeFirstOrThrow()).tmdb_status, 'matched');
  assert.equal((await db.db.selectFrom('lookup_claims').select('show_id').execute()).length, 0);
});

test('a retry of the same activity takes over its earlier attempt\'s claims at once', async () => {
  const [id] = await insertShows(shows.slice(12, 13), 'retry');
  // The earlier attempt's worker died holding the claim for a minute (the holder names the activity: its workflow and activity id).
  await db.db.insertInto('lookup_claims').values({ service: 'tmdb', show_id: id!, owner: 'tmdb:c:session-c/show-data/7/1#attempt-1', expires_at: new Date(Date.now() + 60_000) }).execute();
  const started = Date.now();
  const retry = new MockActivityEnvironment({ attempt: 2, activityId: '1', workflowExecution: { workflowId: 'session-c/show-data/7', runId: 'r' } });
  const outcome = await retry.run(enrichShows({ ttlMs: 60_000, pollMs: 50 }), input('c', [id!]));
  assert.deepEqual(outcome, { done: 1, failed: 0, matchedShowIds: [id] });
  assert.ok(Date.now() - started < 10_000, 'no wait for its own claim');
});

test('a holder that fails lets go at once: the waiting session does not wait for the claim to expire', async () => {
  const [id] = await insertShows(shows.slice(11, 12), 'fail');
  // The failing holder's TMDB answers 500 after a while; the waiting session's is the stand-in.
  const broken = createServer((_req, res) => void setTimeout(() => res.writeHead(500).end(), 300));
  await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
  try {
    const claims = { ttlMs: 60_000, pollMs: 50 };
    const failing = new MockActivityEnvironment({ attempt: 1 }).run(enrichShows(claims, `http://127.0.0.1:${(broken.address() as AddressInfo).port}/3`), {
      ...input('a', [id!]),
      retry: { maximumAttempts: 3, initialIntervalMs: 100 },
    });
    failing.catch(() => undefined);
    while ((await db.db.selectFrom('lookup_claims').select('owner').where('show_id', '=', id!).execute()).length === 0) await new Promise((r) => setTimeout(r, 10));
    const before = tmdb.gate.stats().requests;
    const started = Date.now();
    const waiting = new MockActivityEnvironment().run(enrichShows(claims), input('b', [id!]));
    await assert.rejects(failing, /could not be looked up on TMDB/);
    assert.deepEqual(await waiting, { done: 1, failed: 0, matchedShowIds: [id] });
    assert.ok(Date.now() - started < 10_000, 'well before the claim would have expired');
    assert.equal(tmdb.gate.stats().requests - before, 2, 'the waiting session looked it up itself');
  } finally {
    await new Promise((r) => broken.close(r));
  }
});

test('a session waiting in the same worker looks as soon as the show is stored, not at its next poll', async () => {
  const [id] = await insertShows(shows.slice(9, 10), 'wake');
  // Polls 10 s apart: only the holder's word that it stored the show can end the wait sooner.
  const claims = { ttlMs: 60_000, pollMs: 10_000 };
  const holding = new MockActivityEnvironment().run(enrichShows(claims), input('a', [id!]));
  while ((await db.db.selectFrom('lookup_claims').select('owner').where('show_id', '=', id!).execute()).length === 0) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  const waiting = new MockActivityEnvironment().run(enrichShows(claims), input('b', [id!]));
  assert.deepEqual(await holding, { done: 1, failed: 0, matchedShowIds: [id] });
  assert.deepEqual(await waiting, { done: 1, failed: 0, matchedShowIds: [id] });
  assert.ok(Date.now() - started < 5_000, `waited ${Date.now() - started} ms`);
});
