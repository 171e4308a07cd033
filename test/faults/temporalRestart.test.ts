// Fault 2: the Temporal server goes away mid-session (SIGTERM to the dev server process) and comes
// back on the same db file and port. The worker process reconnects by itself (same pid, no restart)
// and the session resumes and completes with exactly the baseline's rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PACED_ENV, sleep } from '../support/faults/processStack.js';
import { describeProgress, fraction, reportVerdict, seededRng, useFaultStack, verifyRuns, waitForMoment } from '../support/faults/harness.js';

const DATA_KEY = 'demo-1k';

const fixture = useFaultStack({ name: 'temporal', workerEnv: PACED_ENV }, [DATA_KEY]);

test('the Temporal server restarts twice mid-session: the worker reconnects and the session completes intact', { timeout: 15 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const rng = seededRng(2);
  const fetchAt = 0.2 + rng() * 0.5;
  const crawlAt = 0.2 + rng() * 0.5;
  const workerPid = stack.worker.pid;
  const started = Date.now();
  const run = await stack.startSession(DATA_KEY);
  const hits: string[] = [];

  const moments = [
    { name: 'fetch', ready: (f: number) => f >= fetchAt, stage: 'fetch' as const },
    { name: 'crawl', ready: (f: number) => f >= crawlAt, stage: 'crawl' as const },
  ];
  for (const m of moments) {
    const moment = await waitForMoment(stack, run, (p) => m.ready(fraction(p.stages[m.stage])), (p) => p.stages[m.stage].complete, 5 * 60_000);
    if (!moment) continue;
    const downMs = 2_000 + rng() * 4_000;
    console.log(`stopping the Temporal server for ${Math.round(downMs)} ms during ${m.name}: ${describeProgress(moment)}`);
    await stack.temporal.restart(downMs);
    hits.push(m.name);
    assert.ok(stack.worker.running, `the worker died while the server was down:\n${stack.worker.logTail()}`);
  }

  const verdict = await verifyRuns(stack, baselines, [run], 10 * 60_000);
  // Give a crash-on-reconnect a moment to show before asserting the worker survived.
  await sleep(500);
  reportVerdict('temporal-restart', verdict, started, {
    restarts: stack.temporal.restarts,
    during: hits.join(',') || 'none',
    downSeconds: Math.round(stack.temporal.downMs / 1000),
    workerRestarts: stack.worker.starts - 1,
  });
  assert.equal(hits.length, 2, `restarts landed during ${hits.join(', ')}`);
  assert.ok(stack.worker.running && stack.worker.pid === workerPid, 'the same worker process carried on');
});
