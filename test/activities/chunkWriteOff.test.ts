// A chunk whose activity ran out of attempts writes off only the shows still without an outcome:
// what an earlier attempt finished keeps its outcome, and the matched ones go on to be crawled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSessionActivities } from '../../activities/session.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
before(async () => {
  db = await createTestDatabase();
  await db.db.insertInto('sessions').values({ id: 'wo', workflow_id: 'session-wo', data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
});
after(async () => {
  await db?.close();
});

test('markChunkFailed fails and dead-letters only the unfinished shows, and returns the matched ones', async () => {
  const now = new Date();
  const insert = async (name: string, tmdb: 'matched' | 'not_found' | 'pending' | 'failed', rt: 'matched' | 'pending') =>
    (
      await db.db
        .insertInto('shows')
        .values({ name_key: `wo-${name}`, name, tmdb_status: tmdb, tmdb_checked_at: tmdb === 'matched' || tmdb === 'not_found' ? now : null, rt_status: rt, rt_checked_at: rt === 'matched' ? now : null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const matched = await insert('Matched', 'matched', 'matched');
  const notFound = await insert('Not Found', 'not_found', 'pending');
  const pending = await insert('Pending', 'pending', 'pending');
  const failed = await insert('Failed Before', 'failed', 'pending');
  const { markChunkFailed } = createSessionActivities({ db: db.db });

  const showData = await markChunkFailed({ sessionId: 'wo', stage: 'showData', showIds: [matched, notFound, pending, failed], reason: 'activity timed out', attempts: 8 });
  assert.deepEqual(showData.failedShowIds.sort((a, b) => a - b), [pending, failed]);
  assert.deepEqual(showData.matchedShowIds, [matched]);
  const rows = await db.db.selectFrom('shows').select(['id', 'tmdb_status', 'tmdb_error']).where('id', 'in', [matched, notFound, pending, failed]).orderBy('id').execute();
  assert.deepEqual(
    rows.map((r) => [r.tmdb_status, r.tmdb_error]),
    [
      ['matched', null],
      ['not_found', null],
      ['failed', 'activity timed out'],
      ['failed', 'activity timed out'],
    ],
  );

  const crawl = await markChunkFailed({ sessionId: 'wo', stage: 'crawl', showIds: [matched, notFound], reason: 'crawl timed out', attempts: 8 });
  assert.deepEqual(crawl, { failedShowIds: [notFound], matchedShowIds: [matched] });

  const letters = await db.db.selectFrom('dead_letters').select(['show_id', 'stage', 'attempts']).where('session_id', '=', 'wo').orderBy('show_id').orderBy('stage').execute();
  assert.deepEqual(
    letters.map((l) => [l.show_id, l.stage, l.attempts]),
    [
      [notFound, 'crawl', 8],
      [pending, 'showData', 8],
      [failed, 'showData', 8],
    ],
  );
});
