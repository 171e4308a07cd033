// Fairness: a large session floods a one-slot worker with chunk activities; a small session
// started after it is dispatched interleaved with that backlog (its own fairness key), instead of
// first in, first out behind it. Asserts the order of dispatch, not speed.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import { INTERACTIVE_PRIORITY, type PipelineSettings, STAGES, sessionPriority, sessionWorkflowId, stageWorkflowId } from '../../src/contracts/index.js';
import { SessionWorkflow } from '../../workflows/session/session.js';
import { createMockActivities, mockPipelineSettings, until } from '../support/mockActivities.js';
import { createTemporalEnv, workflowBundle } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTemporalEnv({ singlePartition: true });
});
after(async () => {
  await env?.teardown();
});

// Up to 2 fetches and 8 + 8 chunk children in flight: the large session keeps ~18 activities queued.
const settings: PipelineSettings = { ...mockPipelineSettings, pagesPerFetch: 1, fetchConcurrency: 2, chunkSize: 10, childWindow: 8 };

test('a small session started beside a large one is dispatched interleaved with its backlog, not behind it', async () => {
  const taskQueue = `fairness-${Date.now()}`;
  const largeId = `large-${taskQueue}`;
  const smallId = `small-${taskQueue}`;
  // 10,000 activities (100 pages of 80 new shows, 800 chunks) against 300 (3 pages of 10, 3 chunks).
  const large = createMockActivities({ totalActivities: 10_000, showsForPage: (page) => Array.from({ length: 80 }, (_, i) => page * 80 + i), delayMs: 100 });
  const small = createMockActivities({ totalActivities: 300, delayMs: 100 });
  /** Every dispatch in order: the session it served, when the server queued it, the fairness key it arrived with. */
  const dispatched: { session: 'large' | 'small'; name: string; scheduledAt: number; at: number; fairnessKey?: string }[] = [];
  const fns = (mock: typeof large) => mock.activities as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  const activities = Object.fromEntries(
    Object.keys(fns(large)).map((name) => [
      name,
      (input: { sessionId: string }) => {
        const session = input.sessionId === smallId ? 'small' : 'large';
        const { currentAttemptScheduledTimestampMs: scheduledAt, priority } = Context.current().info;
        dispatched.push({ session, name, scheduledAt, at: Date.now(), fairnessKey: priority?.fairnessKey });
        return fns(session === 'small' ? small : large)[name](input);
      },
    ]),
  ) as unknown as Activities;
  const count = (session: 'large' | 'small') => dispatched.filter((d) => d.session === session).length;

  // One activity slot, no eager dispatch: every activity queues in the server, which picks the order.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    maxConcurrentActivityTaskExecutions: 1,
    maxEagerActivityReservationsPerWorkflowTask: 0,
  });
  await worker.runUntil(async () => {
    const start = (sessionId: string) =>
      env.client.workflow.start(SessionWorkflow, {
        taskQueue,
        workflowId: sessionWorkflowId(sessionId),
        args: [{ sessionId, dataKey: 'k', settings }],
        priority: sessionPriority(sessionId),
      });
    const largeHandle = await start(largeId);
    // Both chunk windows full: the backlog is in place before the small session arrives.
    await until(() => large.log.count('enrichShows') >= 8 && large.log.count('crawlShows') >= 4, 30_000, 'the large session to fill its windows');
    const smallHandle = await start(smallId);
    assert.equal((await smallHandle.result()).state, 'COMPLETED');
    await largeHandle.terminate('test over');

    // For each small activity: how many large ones were dispatched after it was queued, ahead of it.
    const smalls = dispatched.filter((d) => d.session === 'small');
    const overtaken = smalls.map((s) => dispatched.filter((d) => d.session === 'large' && d.at > s.scheduledAt && d.at < s.at).length);
    const largeMeanwhile = dispatched.filter((d) => d.session === 'large' && d.at > smalls[0].scheduledAt && d.at < smalls.at(-1)!.at).length;
    console.log(`FAIRNESS small session: ${smalls.length} activities, large ones dispatched ahead of each after it was queued: ${overtaken.join(',')}; ${largeMeanwhile} large ones dispatched during the small session (${count('large')} in all)`);

    assert.ok(small.log.count('enrichShows') === 3 && small.log.count('crawlShows') === 3, 'the small session ran its three chunks');
    // First in, first out puts each small activity behind the ~18 the large session keeps queued
    // (13–18 measured). Fair dispatch alternates the two keys, so one waits for about as many large
    // ones as its own siblings queued ahead of it (up to three chunks at once): 0–4 measured.
    assert.ok(Math.max(...overtaken) <= 6, `a small activity was queued behind ${Math.max(...overtaken)} large ones (${overtaken.join(',')})`);
    assert.ok(largeMeanwhile <= 2 * smalls.length, `${largeMeanwhile} large activities ran during the small session's ${smalls.length}`);
    // Through the server's inheritance: the small session's chunk children and their activities carry its key.
    for (const childId of [stageWorkflowId(sessionWorkflowId(smallId), STAGES[0]!, 0), stageWorkflowId(sessionWorkflowId(smallId), STAGES[1]!, 2)]) {
      const { priority } = await env.client.workflow.getHandle(childId).describe();
      assert.deepEqual([priority?.priorityKey, priority?.fairnessKey], [INTERACTIVE_PRIORITY, smallId], childId);
    }
    for (const d of dispatched) assert.equal(d.fairnessKey, d.session === 'small' ? smallId : largeId, `${d.session} ${d.name} carries its session's fairness key`);
    // The key is a start option only: a keyed session's history replays against today's code.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: 'fairness' }, await smallHandle.fetchHistory(), smallHandle.workflowId);
  });
});
