// buildReport completes a session once: the re-drives and refreshes that rebuild its report later
// must not count it as finished again (nor observe its duration again).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReportActivities } from '../../activities/report.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { sessionDuration, sessionsFinished } from '../../src/observability/metrics.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
before(async () => {
  db = await createTestDatabase();
  await db.db.insertInto('sessions').values({ id: 'rep', workflow_id: 'session-rep', data_source: 'NETFLIX', state: 'STATS_DATA_READY', failure_reason: null }).execute();
});
after(async () => {
  await db?.close();
});

const completedCount = async () => (await sessionsFinished.get()).values.find((v) => v.labels.state === 'COMPLETED')?.value ?? 0;
const durationCount = async () => (await sessionDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;

test('the first report completes the session; rebuilding it counts nothing again', async () => {
  const { buildReport } = createReportActivities({ db: db.db });
  const [finishedBefore, durationsBefore] = [await completedCount(), await durationCount()];

  await buildReport({ sessionId: 'rep', crawlComplete: true });
  const first = await db.db.selectFrom('sessions').select(['state', 'completed_at']).where('id', '=', 'rep').executeTakeFirstOrThrow();
  assert.equal(first.state, 'COMPLETED');
  assert.equal(await completedCount(), finishedBefore + 1);
  assert.equal(await durationCount(), durationsBefore + 1);

  await buildReport({ sessionId: 'rep', crawlComplete: true }); // a re-drive or refresh
  const again = await db.db.selectFrom('sessions').select(['state', 'completed_at']).where('id', '=', 'rep').executeTakeFirstOrThrow();
  assert.deepEqual(again, first, 'completed_at stays the first completion');
  assert.equal(await completedCount(), finishedBefore + 1);
  assert.equal(await durationCount(), durationsBefore + 1);
  assert.ok(await db.db.selectFrom('reports').select('session_id').where('session_id', '=', 'rep').executeTakeFirst(), 'the report itself is rebuilt');
});
