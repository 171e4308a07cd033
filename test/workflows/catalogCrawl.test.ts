// The catalog crawler over real parts (Temporal dev server, PostgreSQL or PGlite, the stand-ins
// over HTTP): from 5 seeds over 3 rounds it enriches every show it discovers exactly once (counted
// at the TMDB stand-in), across rounds, continue-as-new and a worker stopped mid-crawl and replaced;
// every run and every activity it schedules carries the low catalog priority; and a viewer's session
// started in the middle of a crawl reaches its report while the crawl is still running.
import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CATALOG_PRIORITY, type CatalogCrawlOutcome, type CatalogCrawlProgress, type CatalogCrawlSettings, catalogProgressQuery } from '../../src/contracts/index.js';
import { startCatalogCrawl } from '../../src/temporal/catalogCrawls.js';
import { createShowprintWorker } from '../../src/worker/createWorker.js';
import { until } from '../support/mockActivities.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';
import { workflowBundle } from '../support/temporal.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

async function startWorker(taskQueue: string): Promise<{ worker: Worker; run: Promise<void> }> {
  const worker = await createShowprintWorker({
    config: stack.config,
    endpoints: stack.endpoints,
    db: stack.db.db,
    connection: stack.env.nativeConnection,
    workflowBundle: await workflowBundle(),
    taskQueue,
    dataConverter: stack.dataConverter,
    sessionKeys: stack.sessionKeys,
  });
  return { worker, run: worker.run() };
}

const progressOf = (handle: WorkflowHandle) => handle.query(catalogProgressQuery);

/** The most popular shows TMDB has (not decoys): good seeds, as an operator would pick them. */
function popularSeeds(n: number, skip = 0): number[] {
  return stack.standins.catalog.shows
    .filter((s) => s.onTmdb && s.decoyOf === undefined)
    .sort((a, b) => b.popularity - a.popularity || a.id - b.id)
    .slice(skip, skip + n)
    .map((s) => s.id);
}

const settings = (over: Partial<CatalogCrawlSettings>): Partial<CatalogCrawlSettings> => ({
  showCacheTtlMs: stack.config.pipeline.showCacheTtlMs,
  retry: { maximumAttempts: 3, initialIntervalMs: 200 },
  ...over,
});

/** TMDB requests the stand-in served per path, for the paths matching `pattern`. */
function tmdbCounts(pattern: RegExp): Map<string, number> {
  return new Map([...stack.standins.tmdbRequestCounts()].filter(([path]) => pattern.test(path)));
}

test('5 seeds, 3 rounds: every discovered show enriched exactly once, across rounds and a worker restart, all at low priority', async () => {
  const taskQueue = `catalog-${Math.random().toString(36).slice(2, 8)}`;
  stack.standins.resetStats();
  // Slow enough that the worker can be stopped with the crawl half done.
  stack.standins.setLimits('tmdb', { latencyMs: 30 });
  const seeds = popularSeeds(5);
  let first = await startWorker(taskQueue);
  const { workflowId } = await startCatalogCrawl(stack.client, {
    taskQueue,
    crawlId: `five-seeds-${taskQueue}`,
    seeds,
    // No cache at all (TTL 0): only the crawl's own memory can keep a show from being asked for twice.
    settings: settings({ target: 45, rounds: 3, seedsPerRound: 5, chunkSize: 5, parallelChunks: 2, popularityFloor: 2, yieldMaxMs: 0, showCacheTtlMs: 0, staleWithinMs: 0 }),
  });
  const handle = stack.client.workflow.getHandle(workflowId);
  let atStop: CatalogCrawlProgress | undefined;
  try {
    await until(async () => {
      const p = await progressOf(handle).catch(() => undefined);
      if (p && p.round === 2 && p.phase === 'enriching' && p.chunks.done >= 1) atStop = p;
      return atStop !== undefined;
    }, 60_000, 'the crawl to be enriching in round 2');
  } finally {
    // Stopped as SIGTERM stops it: polling ends, what is in flight finishes within the grace time.
    first.worker.shutdown();
    await first.run;
  }
  first = await startWorker(taskQueue);
  let result: CatalogCrawlOutcome;
  try {
    result = (await handle.result()) as CatalogCrawlOutcome;
  } finally {
    first.worker.shutdown();
    await first.run;
    stack.standins.setLimits('tmdb', { latencyMs: 2 });
  }

  console.log(`CATALOG crawl: ${JSON.stringify(result)}; stopped the first worker at ${JSON.stringify(atStop)}`);
  assert.equal(result.round, 3, 'three rounds');
  assert.ok(result.stoppedBecause === 'rounds' || result.stoppedBecause === 'target', String(result.stoppedBecause));
  assert.ok(atStop && atStop.phase !== 'finished' && result.enriched > atStop.enriched, 'the replacement worker finished the crawl');
  assert.ok(result.runs >= 3, `continued as new between rounds (${result.runs} runs)`);
  assert.ok(result.deduped > 0, 'rounds met shows seen before, and dropped them');
  assert.equal(result.skipped + result.enriched + result.failed, result.queued, 'every queued show was settled once');

  // Exactly once: one details request per show, one exploration per seed, however the work was split.
  const details = tmdbCounts(/^\/tv\/\d+$/);
  const repeated = [...details].filter(([, n]) => n !== 1);
  assert.deepEqual(repeated, [], 'no show was asked for twice');
  assert.ok(details.size >= result.enriched && result.enriched >= 30, `${result.enriched} enriched, ${details.size} details requests`);
  const explored = tmdbCounts(/^\/tv\/\d+\/recommendations$/);
  assert.ok([...explored.values()].every((n) => n === 1), 'each seed explored once');
  assert.equal(explored.size, result.seeds);
  assert.ok(seeds.every((id) => explored.has(`/tv/${id}/recommendations`)), 'round 1 explored the given seeds');
  // Each warmed TMDB id sits on one show row, with its cast stored and its RT page looked for.
  const enrichedIds = [...details.keys()].map((p) => Number(p.slice('/tv/'.length)));
  const rows = await stack.db.db.selectFrom('shows').select(['tmdb_id', 'tmdb_status', 'rt_status']).where('tmdb_id', 'in', enrichedIds).execute();
  assert.equal(rows.length, new Set(rows.map((r) => r.tmdb_id)).size, 'one row per TMDB id');
  assert.ok(rows.length >= result.enriched);
  assert.ok(rows.every((r) => r.tmdb_status === 'matched' && r.rt_status !== 'pending'), 'matched on TMDB and crawled on RT');

  // Low priority everywhere: every run was started with it, and every activity it scheduled.
  const runs = [];
  for await (const e of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(e);
  assert.equal(runs.length, result.runs);
  const crawlKey = runs.reduce((a, b) => (a.startTime <= b.startTime ? a : b)).runId;
  const left = await stack.db.db.selectFrom('catalog_candidates').select('tmdb_id').where('crawl_key', '=', crawlKey).execute();
  assert.equal(left.length, 0, 'the crawl forgot what it had seen when it ended');
  let activities = 0;
  for (const run of runs) {
    const history = await stack.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const started = history.events?.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
    assert.equal(started?.priority?.priorityKey, CATALOG_PRIORITY, `run ${run.runId} started at the catalog priority`);
    for (const e of history.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (!scheduled) continue;
      activities++;
      assert.equal(scheduled.priority?.priorityKey, CATALOG_PRIORITY, `${scheduled.activityType?.name} at the catalog priority`);
    }
  }
  assert.ok(activities > 10, `${activities} activities checked`);
});

test('a session started in the middle of a crawl reaches its report while the crawl is still running', async () => {
  stack.standins.setLimits('tmdb', { latencyMs: 20 });
  const { workflowId } = await startCatalogCrawl(stack.client, {
    taskQueue: stack.config.temporal.taskQueue,
    crawlId: `busy-${Date.now()}`,
    seeds: popularSeeds(10, 5),
    settings: settings({ target: 2_000, rounds: 3, seedsPerRound: 10, chunkSize: 10, popularityFloor: 0 }),
  });
  const crawl = stack.client.workflow.getHandle(workflowId);
  try {
    await until(async () => ((await progressOf(crawl).catch(() => undefined))?.enriched ?? 0) >= 10, 60_000, 'the crawl to be warming shows');
    const beforeSession = await progressOf(crawl);
    const startedAt = Date.now();
    const res = await fetch(`${stack.apiUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ dataKey: 'demo-small' }),
    });
    assert.equal(res.status, 202);
    const { sessionId } = (await res.json()) as { sessionId: string };
    const final = await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 120_000);
    assert.equal(final.state, 'COMPLETED', JSON.stringify(final));
    const report = await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    assert.equal(report.status, 200, 'the report is there');

    const { status } = await crawl.describe();
    assert.equal(status.name, 'RUNNING', 'the crawl is still running');
    const atReport = await progressOf(crawl);
    assert.notEqual(atReport.phase, 'finished');
    console.log(`CATALOG a session completed in ${Date.now() - startedAt} ms beside a crawl, which enriched ${atReport.enriched - beforeSession.enriched} shows meanwhile (${atReport.enriched} so far)`);
    // …and it goes on once the viewer has what they came for.
    await until(async () => (await progressOf(crawl)).enriched > atReport.enriched, 60_000, 'the crawl to carry on');
  } finally {
    await crawl.terminate('test over').catch(() => undefined);
    stack.standins.setLimits('tmdb', { latencyMs: 2 });
  }
});
