// Replays every recorded history in test/histories/ against today's workflow code. Any change that
// would break a running workflow's determinism fails here, before it reaches a worker.
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { workflowIdFromFileName } from '../support/histories.js';
import { workflowBundle } from '../support/temporal.js';

const dir = path.resolve('test/histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { events: Record<string, unknown>[] };

test('the corpus covers completed, continued-as-new, failed and late-connected sessions and their children', () => {
  for (const needed of ['session-completed-small', 'session-continued-as-new', 'session-unknown-key', 'session-never-connected', 'session-connected-later']) {
    assert.ok(files.some((f) => f.startsWith(needed)), `no history for ${needed}`);
  }
  assert.ok(files.filter((f) => f.startsWith('session-continued-as-new@')).length > 1, 'several runs of the continued session');
  assert.ok(files.some((f) => f.includes('__show-data__')) && files.some((f) => f.includes('__crawl__')), 'child histories');
});

test('every recorded history replays without non-determinism', async () => {
  const histories = files.map((file) => ({ workflowId: workflowIdFromFileName(file), history: load(file) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: 'corpus' }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(histories.length >= 10);
});

test('a history replayed against code that would decide differently is caught', async () => {
  // Replaying under another workflow id changes the child ids SessionWorkflow derives from it,
  // exactly what a careless change to the id scheme would do to running sessions.
  const file = files.find((f) => f.startsWith('session-completed-small') && !f.includes('__'))!;
  await assert.rejects(
    Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: 'changed' }, load(file), 'session-renamed'),
    /[Nn]ondeterminism|DeterminismViolation/,
  );
});
