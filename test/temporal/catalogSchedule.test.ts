// The catalog crawl's schedule: made at worker start (daily, overlap SKIP, the crawl at low
// priority), brought in line on the next start, deleted when switched off. Fired, it crawls from
// automatic seeds: the most-watched shows of recent sessions, those going stale first, and warms them again.
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CATALOG_PRIORITY, CATALOG_SCHEDULE_ID, CATALOG_SCHEDULED_WORKFLOW_ID, type CatalogCrawlOutcome, WorkflowTypes } from '../../src/contracts/index.js';
import { ensureCatalogSchedule } from '../../src/temporal/catalogSchedule.js';
import { until } from '../support/mockActivities.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const DAY = 24 * 3600 * 1000;

test('the schedule is made, updated and deleted; fired, it re-warms the most-watched shows going stale, at low priority', async () => {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey: 'demo-small' }),
  });
  const { sessionId } = (await res.json()) as { sessionId: string };
  assert.equal((await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'])).state, 'COMPLETED');
  const ttl = stack.config.pipeline.showCacheTtlMs;
  // The viewer's three most-watched matched shows are about to expire from the cache.
  const watched = await stack.db.db
    .selectFrom('episodes as e')
    .innerJoin('shows as s', 's.id', 'e.show_id')
    .select(['s.id', 's.tmdb_id'])
    .where('e.session_id', '=', sessionId)
    .where('s.tmdb_status', '=', 'matched')
    .groupBy(['s.id', 's.tmdb_id'])
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .orderBy('s.id')
    .execute();
  const stale = watched.slice(0, 3);
  const expiring = new Date(Date.now() - ttl + 3600_000);
  await stack.db.db.updateTable('shows').set({ tmdb_checked_at: expiring, rt_checked_at: expiring }).where('id', 'in', stale.map((s) => s.id)).execute();

  const taskQueue = stack.config.temporal.taskQueue;
  const settings = { target: 10, rounds: 1, seedsPerRound: 5, yieldMaxMs: 0, showCacheTtlMs: ttl };
  assert.equal(await ensureCatalogSchedule(stack.client, { taskQueue, everyMs: 2 * DAY, settings }), 'created');
  assert.equal(await ensureCatalogSchedule(stack.client, { taskQueue, everyMs: DAY, settings }), 'updated');
  const schedule = stack.client.schedule.getHandle(CATALOG_SCHEDULE_ID);
  const described = await schedule.describe();
  assert.equal(described.policies.overlap, ScheduleOverlapPolicy.SKIP);
  assert.deepEqual(described.spec.intervals?.map((i) => i.every), [DAY]);
  assert.equal(described.action.type, 'startWorkflow');
  assert.equal(described.action.workflowType, WorkflowTypes.catalogCrawl);
  assert.equal(described.action.priority?.priorityKey, CATALOG_PRIORITY);
  assert.deepEqual((described.action as { args: unknown[] }).args, [{ settings }]);

  stack.standins.resetStats();
  await schedule.trigger();
  let workflowId = '';
  await until(async () => {
    workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId ?? '';
    return workflowId !== '';
  }, 30_000, 'the schedule to start a crawl');
  assert.ok(workflowId.startsWith(CATALOG_SCHEDULED_WORKFLOW_ID), workflowId);
  const handle = stack.client.workflow.getHandle(workflowId);
  const outcome = (await handle.result()) as CatalogCrawlOutcome;
  const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  assert.equal(started?.priority?.priorityKey, CATALOG_PRIORITY, 'the scheduled crawl runs at the catalog priority');
  assert.equal((await handle.describe()).priority?.priorityKey, CATALOG_PRIORITY);
  assert.equal(outcome.seeds, 5);
  const explored = [...stack.standins.tmdbRequestCounts().keys()].filter((p) => p.endsWith('/recommendations'));
  for (const show of stale) assert.ok(explored.includes(`/tv/${show.tmdb_id}/recommendations`), `stale show ${show.tmdb_id} was a seed`);
  const refreshed = await stack.db.db.selectFrom('shows').select(['tmdb_checked_at', 'rt_checked_at']).where('id', 'in', stale.map((s) => s.id)).execute();
  for (const row of refreshed) assert.ok(row.tmdb_checked_at! > expiring && row.rt_checked_at! > expiring, 'warmed again');

  assert.equal(await ensureCatalogSchedule(stack.client, { taskQueue, everyMs: undefined }), 'deleted');
  await assert.rejects(schedule.describe(), ScheduleNotFoundError);
  assert.equal(await ensureCatalogSchedule(stack.client, { taskQueue, everyMs: undefined }), 'off');
});
