// The session row has one writer, recordSessionState: it creates the row, records each state, and
// counts a terminal state once however often it is retried. buildReport only builds reports: the
// re-drives and refreshes that rebuild a finished session's report change nothing about the session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReportActivities } from '../../activities/report.js';
import { createSessionActivities } from '../../activities/session.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { sessionDuration, sessionsFinished } from '../../src/observability/metrics.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

const finishedCount = async (state: string) => (await sessionsFinished.get()).values.find((v) => v.labels.state === state)?.value ?? 0;
const durationCount = async () => (await sessionDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
const row = (id: string) => db.db.selectFrom('sessions').select(['state', 'failure_reason', 'completed_at']).where('id', '=', id).executeTakeFirst();

test('recordSessionState creates the row, moves it on, and counts COMPLETED once however often it is retried', async () => {
  const { recordSessionState } = createSessionActivities({ db: db.db });
  const [completedBefore, durationsBefore] = [await finishedCount('COMPLETED'), await durationCount()];
  assert.equal(await row('rec'), undefined);
  await recordSessionState({ sessionId: 'rec', workflowId: 'session-rec', state: 'PROCESSING' });
  assert.deepEqual(await row('rec'), { state: 'PROCESSING', failure_reason: null, completed_at: null });
  await recordSessionState({ sessionId: 'rec', workflowId: 'session-rec', state: 'STATS_DATA_READY' });
  assert.equal((await row('rec'))?.state, 'STATS_DATA_READY');

  await recordSessionState({ sessionId: 'rec', workflowId: 'session-rec', state: 'COMPLETED' });
  const completed = await row('rec');
  assert.equal(completed?.state, 'COMPLETED');
  assert.ok(completed?.completed_at instanceof Date);
  await recordSessionState({ sessionId: 'rec', workflowId: 'session-rec', state: 'COMPLETED' }); // a retried activity
  assert.equal(await finishedCount('COMPLETED'), completedBefore + 1);
  assert.equal(await durationCount(), durationsBefore + 1);
});

test('FAILED keeps its reason and counts once', async () => {
  const { recordSessionState } = createSessionActivities({ db: db.db });
  const before = await finishedCount('FAILED');
  await recordSessionState({ sessionId: 'bad', workflowId: 'session-bad', state: 'AWAITING_CONNECTION' });
  await recordSessionState({ sessionId: 'bad', workflowId: 'session-bad', state: 'FAILED', reason: 'never connected' });
  await recordSessionState({ sessionId: 'bad', workflowId: 'session-bad', state: 'FAILED', reason: 'never connected' });
  const failed = await row('bad');
  assert.equal(failed?.state, 'FAILED');
  assert.equal(failed?.failure_reason, 'never connected');
  assert.equal(await finishedCount('FAILED'), before + 1);
});

test('the database refuses a state the contract does not know', async () => {
  await assert.rejects(db.db.insertInto('sessions').values({ id: 'odd', workflow_id: 'session-odd', data_source: 'NETFLIX', state: 'DONE' as never, failure_reason: null }).execute(), /sessions_state_known|check/);
});

test('buildReport stores the report and leaves the session row alone', async () => {
  const { recordSessionState } = createSessionActivities({ db: db.db });
  const { buildReport } = createReportActivities({ db: db.db });
  await recordSessionState({ sessionId: 'rep', workflowId: 'session-rep', state: 'STATS_DATA_READY' });
  const completedBefore = await finishedCount('COMPLETED');
  const built = await buildReport({ sessionId: 'rep', crawlComplete: false, version: 1, final: false });
  assert.deepEqual([built.version, built.final], [1, false]);
  assert.match(built.coverage ?? '', /^Still improving: \d+ of \d+ shows/, 'it says what the version was drawn from');
  assert.equal((await row('rep'))?.state, 'STATS_DATA_READY', 'completing is the workflow’s to record');
  assert.equal(await finishedCount('COMPLETED'), completedBefore);
  const versions = () => db.db.selectFrom('report_versions').select(['version', 'final', 'report']).where('session_id', '=', 'rep').orderBy('version').execute();
  const first = await versions();
  assert.deepEqual(first.map((v) => [v.version, v.final]), [[1, false]], 'the first claim is stored as version 1');

  // A retried build of the same version keeps what is stored: a stored version is never edited.
  await buildReport({ sessionId: 'rep', crawlComplete: true, version: 1, final: false });
  assert.deepEqual((await versions()).map((v) => v.report), first.map((v) => v.report));

  // Without a version (a re-drive, a refresh, an older run) the next one is appended, final.
  const appended = await buildReport({ sessionId: 'rep', crawlComplete: true });
  assert.deepEqual([appended.version, appended.final], [2, true]);
  assert.deepEqual((await versions()).map((v) => [v.version, v.final, (v.report as { version: number }).version]), [[1, false, 1], [2, true, 2]]);
});
