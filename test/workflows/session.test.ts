// SessionWorkflow orchestration on a real dev server, with controllable activities:
// gates, idempotent chunk signals, connecting, cancelling, fatal child failures, continue-as-new.
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type PipelineSettings, connectSignal, pauseUpdate, progressQuery, resumeUpdate, sessionWorkflowId, stageRow, stageSignal, stageWorkflowId } from '../../src/contracts/index.js';
import { SessionWorkflow } from '../../workflows/session/session.js';
import { type MockOptions, createMockActivities, gate, mockPipelineSettings as baseSettings, until } from '../support/mockActivities.js';
import { createTemporalEnv, workflowBundle } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTemporalEnv();
});
after(async () => {
  await env?.teardown();
});


let counter = 0;
async function withWorker<T>(mock: MockOptions, fn: (ctx: { taskQueue: string; log: ReturnType<typeof createMockActivities>['log'] }) => Promise<T>) {
  const taskQueue = `wf-test-${++counter}-${Date.now()}`;
  const { activities, log } = createMockActivities(mock);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(fn({ taskQueue, log }));
}

function start(taskQueue: string, sessionId: string, settings: Partial<PipelineSettings> = {}, dataKey: string | null = 'demo') {
  return env.client.workflow.start(SessionWorkflow, {
    taskQueue,
    workflowId: sessionWorkflowId(sessionId),
    args: [{ sessionId, dataKey: dataKey ?? undefined, settings: { ...baseSettings, ...settings } }],
  });
}

describe('the star-sign gate', () => {
  test('waits while crawl is below 97% done (38 of 40 = 95%), then opens', async () => {
    const held = gate();
    await withWorker(
      { totalActivities: 100, showsForPage: () => Array.from({ length: 40 }, (_, i) => i + 1), onCrawl: (c) => (c.chunk === 1 ? held.promise : Promise.resolve()) },
      async ({ taskQueue, log }) => {
        const handle = await start(taskQueue, `gate95-${Date.now()}`, { chunkSize: 38 });
        await until(() => log.count('pickTvBff') === 1 && log.count('writeShowQuips') === 1, 20_000, 'bff and quips');
        await until(async () => (await handle.query(progressQuery)).stages.crawl.done === 38, 20_000, 'chunk 0 crawled');
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(log.count('pickStarSign'), 0, 'star sign must wait below 97%');
        const progress = await handle.query(progressQuery);
        assert.equal(progress.state, 'STATS_DATA_READY');
        assert.equal(progress.stages.showData.done, 40);

        // A repeated chunk report counts once.
        await handle.signal(stageSignal(stageRow('crawl')), { chunk: 0, done: 38, failed: 0 });
        assert.equal((await handle.query(progressQuery)).stages.crawl.done, 38);

        const releasedAt = Date.now();
        held.open();
        assert.deepEqual(await handle.result(), { sessionId: progress.sessionId, state: 'COMPLETED' });
        const star = log.calls.find((c) => c.name === 'pickStarSign')!;
        assert.ok(star.at >= releasedAt, 'star sign ran only after the held chunk was released');
        assert.equal(log.count('buildReport'), 1);
      },
    );
  });

  test('opens at 39 of 40 (97.5%) without waiting for the last chunk; the final report waits for it (honest finality)', async () => {
    const held = gate();
    await withWorker(
      { totalActivities: 100, showsForPage: () => Array.from({ length: 40 }, (_, i) => i + 1), onCrawl: (c) => (c.chunk === 1 ? held.promise : Promise.resolve()) },
      async ({ taskQueue, log }) => {
        const sessionId = `gate975-${Date.now()}`;
        const handle = await start(taskQueue, sessionId, { chunkSize: 39 });
        await until(() => log.count('pickStarSign') === 1, 30_000, 'star sign at 97.5%');
        // The last show has no outcome yet: the session is not finished, and no final report claims it is.
        await new Promise((r) => setTimeout(r, 1_000));
        assert.equal((await handle.describe()).status.name, 'RUNNING');
        const finals = () => log.calls.filter((c) => c.name === 'buildReport' && (c.input as { final?: boolean }).final !== false);
        assert.equal(finals().length, 0, 'no final report before every show has its outcome');
        held.open();
        assert.equal((await handle.result()).state, 'COMPLETED');
        assert.equal(finals().length, 1);
        assert.equal((finals()[0]!.input as { crawlComplete: boolean }).crawlComplete, true, 'the final report is drawn from every show');
      },
    );
  });
});

describe('connecting', () => {
  test('a session started without a dataKey waits for the connect signal', async () => {
    await withWorker({ totalActivities: 50 }, async ({ taskQueue, log }) => {
      const handle = await start(taskQueue, `connect-${Date.now()}`, {}, null);
      await until(async () => (await handle.query(progressQuery)).state === 'AWAITING_CONNECTION');
      assert.equal(log.count('fetchHistoryBatch'), 0);
      await handle.signal(connectSignal, { dataKey: 'demo-small' });
      assert.equal((await handle.result()).state, 'COMPLETED');
      assert.equal((log.calls.find((c) => c.name === 'fetchHistoryBatch')!.input as { dataKey: string }).dataKey, 'demo-small');
    });
  });

  test('a session never connected ends FAILED with reason "never connected"', async () => {
    await withWorker({ totalActivities: 50 }, async ({ taskQueue, log }) => {
      const handle = await start(taskQueue, `never-${Date.now()}`, { connectTimeoutMs: 1500 }, null);
      const error = await handle.result().catch((e: unknown) => e);
      assert.ok(error instanceof WorkflowFailedError);
      assert.match(String(error.cause?.message), /never connected/);
      const failed = log.calls.find((c) => c.name === 'recordSessionState' && (c.input as { state: string }).state === 'FAILED');
      assert.equal((failed?.input as { reason: string }).reason, 'never connected');
    });
  });
});

describe('failures', () => {
  test('cancelling a session cancels its running children and records FAILED "cancelled"', async () => {
    const held = gate();
    await withWorker({ totalActivities: 100, onCrawl: () => held.promise }, async ({ taskQueue, log }) => {
      const sessionId = `cancel-${Date.now()}`;
      const handle = await start(taskQueue, sessionId);
      await until(() => log.count('crawlShows') >= 1, 20_000, 'a crawl in flight');
      await handle.cancel();
      const error = await handle.result().catch((e: unknown) => e);
      assert.ok(error instanceof WorkflowFailedError);
      const child = env.client.workflow.getHandle(stageWorkflowId(sessionWorkflowId(sessionId), stageRow('crawl'), 0));
      await until(async () => (await child.describe()).status.name === 'CANCELLED', 10_000, 'child cancelled');
      const failed = log.calls.find((c) => c.name === 'recordSessionState' && (c.input as { state: string }).state === 'FAILED');
      assert.equal((failed?.input as { reason: string }).reason, 'cancelled');
      held.open();
    });
  });

  test('a session-wide permanent failure in a child (TMDB rejects the key) fails the session with its reason', async () => {
    await withWorker(
      {
        totalActivities: 100,
        onEnrich: async () => {
          throw ApplicationFailure.create({ type: 'TmdbUnauthorized', message: 'TMDB rejected the API key (HTTP 401)', nonRetryable: true });
        },
      },
      async ({ taskQueue }) => {
        const handle = await start(taskQueue, `tmdb401-${Date.now()}`);
        const error = await handle.result().catch((e: unknown) => e);
        assert.ok(error instanceof WorkflowFailedError);
        assert.match(String(error.cause?.message), /TMDB rejected the API key/);
        assert.equal((await handle.query(progressQuery)).state, 'FAILED');
      },
    );
  });
});

describe('continue-as-new', () => {
  test('a long history continues as new, carrying cursor and progress, with small runs', async () => {
    await withWorker({ totalActivities: 3000 }, async ({ taskQueue, log }) => {
      const sessionId = `can-${Date.now()}`;
      const handle = await start(taskQueue, sessionId, { pageSize: 100, pagesPerFetch: 2, continueAsNewEveryPages: 6, chunkSize: 25 });
      assert.equal((await handle.result()).state, 'COMPLETED');
      const progress = await handle.query(progressQuery);
      assert.equal(progress.stages.fetch.done, 30);
      assert.equal(progress.stages.showData.total, 300);
      assert.equal(progress.stages.showData.done, 300);
      assert.equal(progress.stages.crawl.done, 300);
      // Draining waits for in-flight batches, so a run holds 6 to 9 pages: at least 4 runs for 30.
      assert.ok(progress.runs >= 4, `expected several runs, got ${progress.runs}`);
      // Every page fetched exactly once across runs.
      const pages = log.calls.filter((c) => c.name === 'fetchHistoryBatch').flatMap((c) => {
        const { firstPage, lastPage } = c.input as { firstPage: number; lastPage: number };
        return Array.from({ length: lastPage - firstPage + 1 }, (_, i) => firstPage + i);
      });
      assert.deepEqual(pages.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
      // And no run's history is anywhere near the limits.
      const runs = [];
      for await (const run of env.client.workflow.list({ query: `WorkflowId = "${sessionWorkflowId(sessionId)}"` })) runs.push(run);
      assert.equal(runs.length, progress.runs);
      for (const run of runs) assert.ok(run.historyLength < 2000, `run ${run.runId} has ${run.historyLength} events`);
    });
  });
});

describe('the report deadline', () => {
  const reportCalls = (log: ReturnType<typeof createMockActivities>['log']) =>
    log.calls.filter((c) => c.name === 'buildReport').map((c) => { const i = c.input as { version?: number; final?: boolean }; return [i.version, i.final]; });
  const statesRecorded = (log: ReturnType<typeof createMockActivities>['log']) =>
    log.calls.filter((c) => c.name === 'recordSessionState').map((c) => (c.input as { state: string }).state);
  const forty = { totalActivities: 100, showsForPage: () => Array.from({ length: 40 }, (_, i) => i + 1) };

  test('past the deadline a provisional report is stored; the star-sign gate and the end each store a new version', async () => {
    const held = gate();
    await withWorker({ ...forty, onCrawl: (c) => (c.chunk === 1 ? held.promise : Promise.resolve()) }, async ({ taskQueue, log }) => {
      const handle = await start(taskQueue, `deadline-${Date.now()}`, { chunkSize: 10, reportDeadlineMs: 1500 });
      await until(async () => (await handle.query(progressQuery)).state === 'PROVISIONAL_REPORT_READY', 20_000, 'the provisional report');
      assert.deepEqual(reportCalls(log), [[1, false]]);
      assert.equal(log.count('pickStarSign'), 0, 'the star sign keeps its 97% gate');
      assert.deepEqual((await handle.query(progressQuery)).report, { version: 1, final: false });

      held.open();
      assert.equal((await handle.result()).state, 'COMPLETED');
      assert.deepEqual(reportCalls(log), [[1, false], [2, false], [3, true]]);
      assert.deepEqual(statesRecorded(log), ['PROCESSING', 'STATS_DATA_READY', 'PROVISIONAL_REPORT_READY', 'COMPLETED'], 'the state never moves back');
    });
  });

  test('a session done before its deadline goes straight to one final report', async () => {
    await withWorker(forty, async ({ taskQueue, log }) => {
      const handle = await start(taskQueue, `intime-${Date.now()}`, { reportDeadlineMs: 60_000 });
      assert.equal((await handle.result()).state, 'COMPLETED');
      assert.deepEqual(reportCalls(log), [[1, true]]);
      assert.ok(!statesRecorded(log).includes('PROVISIONAL_REPORT_READY'));
    });
  });

  test('a deadline that passes while no worker runs fires once when one comes back', async () => {
    const sessionId = `restart-${Date.now()}`;
    const slowCrawl = { ...forty, onCrawl: () => new Promise<void>((r) => setTimeout(r, 4000)) };
    let taskQueue = '';
    let firstLog: ReturnType<typeof createMockActivities>['log'] | undefined;
    // The first worker stops before the deadline; the crawl it started finishes as it shuts down.
    await withWorker(slowCrawl, async (ctx) => {
      taskQueue = ctx.taskQueue;
      firstLog = ctx.log;
      await start(taskQueue, sessionId, { reportDeadlineMs: 3000 });
      await until(() => ctx.log.count('writeShowQuips') === 1, 20_000, 'quips');
    });
    assert.deepEqual(reportCalls(firstLog!), []);
    await new Promise((r) => setTimeout(r, 3500));
    const { activities, log } = createMockActivities(slowCrawl);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    await worker.runUntil(async () => {
      assert.equal((await env.client.workflow.getHandle(sessionWorkflowId(sessionId)).result()).state, 'COMPLETED');
    });
    // Version 1 is the provisional one, built once (by the worker that came back); the last is final.
    const calls = [...reportCalls(firstLog!), ...reportCalls(log)];
    assert.deepEqual(calls.filter(([version]) => version === 1), [[1, false]]);
    assert.deepEqual(calls.at(-1)?.[1], true);
  });
});

describe('pausing', () => {
  test('a paused session starts no new activity or child until resumed; what was in flight finishes; then it completes', async () => {
    const held = gate();
    await withWorker(
      { totalActivities: 1000, showsForPage: (page) => Array.from({ length: 10 }, (_, i) => page * 10 + i), onEnrich: (c) => (c.chunk === 0 ? held.promise : Promise.resolve()) },
      async ({ taskQueue, log }) => {
        const handle = await start(taskQueue, `pause-${Date.now()}`, { pagesPerFetch: 1, fetchConcurrency: 1, chunkSize: 10 });
        await until(() => log.count('enrichShows') >= 1, 20_000, 'a chunk in flight');
        const paused = await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'test hold' }] });
        assert.equal(paused.paused?.reason, 'test hold');
        // What was in flight finishes: the held chunk's report comes back during the pause. (Waiting on
        // the progress count is not enough: a chunk that was not held may have reported before the pause.)
        held.open();
        const signalledAfterPause = async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const pausedAt = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
          return pausedAt >= 0 && events.slice(pausedAt).some((e) => e.workflowExecutionSignaledEventAttributes);
        };
        await until(signalledAfterPause, 30_000, 'the held chunk reported during the pause');
        await new Promise((r) => setTimeout(r, 1500)); // time for anything the pause failed to hold back
        const progress = await handle.query(progressQuery);
        assert.ok(progress.paused && progress.state !== 'COMPLETED');

        const resumed = await handle.executeUpdate(resumeUpdate);
        assert.equal(resumed.paused, null);
        assert.equal((await handle.result()).state, 'COMPLETED');

        // The session's own history between the two updates: no activity scheduled, no child started.
        const events = (await handle.fetchHistory()).events ?? [];
        const accepted = events.flatMap((e, i) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [i] : []));
        assert.equal(accepted.length, 2, 'both updates were accepted');
        // From the next workflow task on: commands of the task that accepted the pause may have been
        // decided by the jobs before it in that same task (work already under way).
        const from = events.findIndex((e, i) => i > accepted[0] && e.workflowTaskStartedEventAttributes);
        const during = events.slice(from, accepted[1]);
        assert.equal(during.filter((e) => e.activityTaskScheduledEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes).length, 0, 'nothing started while paused');
        // A report may land before the next workflow task starts: look from the pause's acceptance on.
        const whilePaused = events.slice(accepted[0], accepted[1]);
        assert.ok(whilePaused.some((e) => e.workflowExecutionSignaledEventAttributes), 'in-flight work reported back during the pause');
        assert.ok(log.count('crawlShows') > 0);
        // A finished session refuses both, with a reason.
        await assert.rejects(handle.executeUpdate(resumeUpdate), /WorkflowUpdate|completed|finishing|not found/i);
      },
    );
  });
});
