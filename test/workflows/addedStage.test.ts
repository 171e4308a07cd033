// Adding a stage is a row in the table: a test bundle swaps in a table with a third stage (tags for
// every show TMDB matched, beside the crawl) and a session runs through it on a real dev server with
// nothing else changed in the workflows: its own chunk window, children, signal, progress and gates.
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ShowsInput, type SessionProgress, type StageProgress, progressQuery, sessionWorkflowId } from '../../src/contracts/index.js';
import { failureConverterPath } from '../../src/temporal/codec/payloadCodec.js';
import { workflowsPath } from '../../src/worker/createWorker.js';
import { SessionWorkflow } from '../../workflows/session/session.js';
import { createMockActivities, mockPipelineSettings } from '../support/mockActivities.js';
import { workflowIdFromFileName } from '../support/histories.js';
import { createTemporalEnv } from '../support/temporal.js';
import { TAGGED_STAGE } from './fixtures/threeStagePipeline.js';

const contracts = path.resolve('src/contracts');
const fixture = path.resolve('test/workflows/fixtures/threeStagePipeline.ts');

interface ResolveData {
  request: string;
  context: string;
}
/** Points the contracts' own import of the table at the fixture (the fixture's import of today's table stays). */
const swapTable = {
  apply(compiler: { hooks: { normalModuleFactory: { tap(name: string, fn: (nmf: { hooks: { beforeResolve: { tap(name: string, fn: (data: ResolveData) => void): void } } }) => void): void } } }) {
    compiler.hooks.normalModuleFactory.tap('swap-stage-table', (nmf) =>
      nmf.hooks.beforeResolve.tap('swap-stage-table', (data) => {
        if (data.context === contracts && data.request === './pipeline.js') data.request = fixture;
      }),
    );
  },
};

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTemporalEnv();
});
after(async () => {
  await env?.teardown();
});

let bundle: ReturnType<typeof bundleWorkflowCode> | undefined;
const threeStageBundle = () =>
  (bundle ??= bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), swapTable as never] }),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
  }));

test('a session runs a stage added to the table: its window, children, signal, progress and the final gate', async () => {
  const bundle = await threeStageBundle();
  const { activities, log } = createMockActivities({ totalActivities: 300 });
  const tagged: number[] = [];
  let lastTagAt = 0;
  const added = {
    ...activities,
    // TMDB matches the even shows only: the tagger, like the crawl, needs a match.
    async enrichShows(input: ShowsInput) {
      await activities.enrichShows(input as never);
      return { done: input.showIds.length, failed: 0, matchedShowIds: input.showIds.filter((id) => id % 2 === 0) };
    },
    async tagShows(input: ShowsInput) {
      tagged.push(...input.showIds);
      lastTagAt = Date.now();
      return { done: input.showIds.length, failed: input.showIds.filter((id) => id % 10 === 0).length };
    },
  };
  const taskQueue = `added-stage-${Date.now()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: added });
  const sessionId = `added-stage-${Date.now()}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(SessionWorkflow, {
      taskQueue,
      workflowId: sessionWorkflowId(sessionId),
      args: [{ sessionId, dataKey: 'demo', settings: { ...mockPipelineSettings } }],
    });
    assert.deepEqual(await handle.result(), { sessionId, state: 'COMPLETED' });
    const progress: SessionProgress = await handle.query(progressQuery);

    // 3 pages of 10 shows each: 30 shows, 15 of them matched and tagged, once each.
    const shows = 30;
    assert.deepEqual(progress.pipeline?.map((s) => s.name), ['showData', 'crawl', TAGGED_STAGE.name]);
    assert.equal(progress.pipeline?.[2]?.label, TAGGED_STAGE.label);
    const stage = (progress.stages as unknown as Record<string, StageProgress>)[TAGGED_STAGE.name]!;
    assert.deepEqual([stage.total, stage.done, stage.failed, stage.complete], [shows, shows, 3, true], 'unmatched shows count as done; 10, 20 and 30 failed');
    assert.deepEqual([...tagged].sort((a, b) => a - b), Array.from({ length: 15 }, (_, i) => 10 + 2 * i));
    assert.equal(progress.percent, 100);

    // Its children are the generic chunk workflow, under the row's id segment.
    const children = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowType = 'StageChunkWorkflow'` })) if (w.workflowId.startsWith(`${handle.workflowId}/tags/`)) children.push(w.workflowId);
    assert.equal(children.length, 3, 'one tagging child per chunk of 10 shows');

    // The final report waited for every stage: the last tag came before it.
    const report = log.calls.find((c) => c.name === 'buildReport' && (c.input as { final?: boolean }).final);
    assert.ok(report && report.at >= lastTagAt, 'the final report was built after the last tag');
    assert.equal((report.input as { crawlComplete: boolean }).crawlComplete, true);
  });
});

test('sessions begun before the stage was added replay without it (its patch keeps it out), continued runs included', async () => {
  const dir = path.resolve('test/histories/stages');
  const histories = readdirSync(dir)
    .filter((f) => f.startsWith('session-') && f.endsWith('.json'))
    .map((file) => ({ workflowId: workflowIdFromFileName(file), history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));
  assert.ok(histories.some((h) => h.workflowId === 'session-continued-as-new'));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await threeStageBundle(), replayName: 'added-stage' }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
});
