// Report versions are numbered in one place: the database, whoever builds them. A re-drive that
// appends between two of the session's builds does not take the session's number (nor the session
// its), a retried build finds its version, and builds at the same moment get distinct numbers.
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReportActivities } from '../../activities/report.js';
import type { ReportVersionRef } from '../../src/contracts/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
const SESSION = 'rv';

before(async () => {
  db = await createTestDatabase();
  await db.db.insertInto('sessions').values({ id: SESSION, workflow_id: `session-${SESSION}`, data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
});
after(async () => {
  await db?.close();
});

const build = (input: { version?: number; final?: boolean }, activity: { workflowId: string; activityId: string }): Promise<ReportVersionRef> =>
  new MockActivityEnvironment({ activityId: activity.activityId, workflowExecution: { workflowId: activity.workflowId, runId: 'r1' } }).run(createReportActivities({ db: db.db }).buildReport, {
    sessionId: SESSION,
    crawlComplete: false,
    ...input,
  }) as Promise<ReportVersionRef>;
const session = (claim: number, final = false) => build({ version: claim, final }, { workflowId: `session-${SESSION}`, activityId: String(claim) });
const redrive = (activityId: string) => build({}, { workflowId: `session-${SESSION}/redrive`, activityId });
const stored = () => db.db.selectFrom('report_versions').select(['version', 'final', 'claim']).where('session_id', '=', SESSION).orderBy('version').execute();

test("a re-drive appending between the session's builds takes the next number, and the session's next build the one after", async () => {
  assert.equal((await session(1)).version, 1);
  assert.equal((await redrive('a')).version, 2);
  const second = await session(2, true);
  assert.deepEqual([second.version, second.final], [3, true], "the session's second claim is stored as version 3, not lost under the re-drive's 2");
  assert.deepEqual(
    (await stored()).map((r) => [r.version, r.final]),
    [
      [1, false],
      [2, true],
      [3, true],
    ],
  );
});

test('a retried build finds its version and stores nothing more', async () => {
  const before = (await stored()).length;
  assert.equal((await session(2, true)).version, 3);
  assert.equal((await redrive('a')).version, 2);
  assert.equal((await stored()).length, before);
});

test('builds at the same moment get distinct, consecutive numbers', async () => {
  const versions = (await Promise.all(['b', 'c', 'd', 'e'].map(redrive))).map((r) => r.version).sort();
  assert.deepEqual(versions, [4, 5, 6, 7]);
});
