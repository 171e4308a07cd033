// Priority: with a backlog of scheduled refreshes on a busy worker, a new interactive session's
// activities are dispatched ahead of the backlog (priority 1 vs 5), instead of waiting behind it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { INTERACTIVE_PRIORITY, sessionWorkflowId } from '../../src/contracts/index.js';
import { RefreshWorkflow } from '../../workflows/refresh.js';
import { SessionWorkflow } from '../../workflows/session/session.js';
import { createMockActivities, mockPipelineSettings, until } from '../support/mockActivities.js';
import { createTemporalEnv, workflowBundle } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTemporalEnv();
});
after(async () => {
  await env?.teardown();
});

const settings = { ...mockPipelineSettings, pagesPerFetch: 1, fetchConcurrency: 1, chunkSize: 50 };

test('an interactive session overtakes a backlog of 40 refreshes', async () => {
  const taskQueue = `priority-${Date.now()}`;
  const { activities, log } = createMockActivities({ totalActivities: 100, showsForPage: () => [1, 2, 3], delayMs: 150 });
  // One activity slot: everything queues in the server, where priority decides the order.
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities, maxConcurrentActivityTaskExecutions: 1 });
  await worker.runUntil(async () => {
    const refreshes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        env.client.workflow.start(RefreshWorkflow, { taskQueue, workflowId: `refresh-flood-${taskQueue}-${i}`, args: [{ sessionId: `flood-${i}`, dataKey: 'k', settings }] }),
      ),
    );
    await until(() => log.count('fetchNewHistory') >= 2, 20_000, 'the backlog to start draining');
    const session = await env.client.workflow.start(SessionWorkflow, {
      taskQueue,
      workflowId: sessionWorkflowId(`interactive-${taskQueue}`),
      args: [{ sessionId: `interactive-${taskQueue}`, dataKey: 'k', settings }],
      priority: { priorityKey: INTERACTIVE_PRIORITY },
    });
    const startedAt = Date.now();
    assert.equal((await session.result()).state, 'COMPLETED');
    const tookMs = Date.now() - startedAt;
    // Each refresh runs 5 activities of 150 ms: FIFO would put the session behind ~190 of them.
    const refreshActivitiesDone = log.calls.filter((c) => ['fetchNewHistory', 'pickStarSign'].includes(c.name) && (c.input as { sessionId: string }).sessionId.startsWith('flood-')).length;
    console.log(`PRIORITY interactive session completed in ${tookMs} ms with ${refreshActivitiesDone} refresh fetch/star-sign activities done of 80`);
    // FIFO would finish all 80 first; with priority the session cuts in while most are still queued.
    assert.ok(refreshActivitiesDone < 60, `the session waited for most of the backlog (${refreshActivitiesDone} of 80 done)`);
    for (const r of refreshes) await r.terminate('test over').catch(() => undefined); // some already finished
  });
});
