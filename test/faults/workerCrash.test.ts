// Fault 1: the worker process is killed with SIGKILL at seeded moments (during the fetch, during
// show data, mid-crawl, while the star-sign gate waits) and restarted. Every session completes and
// the database holds exactly the rows of a crash-free baseline of the same dataKeys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PACED_ENV, sleep } from '../support/faults/processStack.js';
import { describeProgress, fraction, reportVerdict, seededRng, useFaultStack, verifyRuns, waitForMoment } from '../support/faults/harness.js';
import type { SessionProgress } from '../../src/contracts/index.js';

const DATA_KEYS = ['demo-1k', 'demo-small'];

const fixture = useFaultStack({ name: 'crash', workerEnv: PACED_ENV }, DATA_KEYS);

interface KillPoint {
  name: string;
  ready: (p: SessionProgress) => boolean;
  passed: (p: SessionProgress) => boolean;
}

test('kill -9 the worker during fetch, show data, crawl and the gate: nothing lost, nothing doubled', { timeout: 20 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const rng = seededRng(1);
  // Thresholds are drawn once, up front, so the seed alone decides them.
  const [fetchAt, showDataAt, crawlAt] = [0.15 + rng() * 0.45, 0.2 + rng() * 0.5, 0.2 + rng() * 0.5];
  const points: KillPoint[] = [
    { name: 'fetch', ready: (p) => p.stages.fetch.total > 1 && fraction(p.stages.fetch) >= fetchAt, passed: (p) => p.stages.fetch.complete },
    { name: 'showData', ready: (p) => fraction(p.stages.showData) >= showDataAt, passed: (p) => p.stages.showData.complete },
    // The star-sign gate waits from the end of the fetch until show data and crawl are 97% done.
    {
      name: 'gate',
      ready: (p) => p.stages.fetch.complete && p.stages.starSign.done === 0 && !(p.stages.showData.complete && p.stages.crawl.complete),
      passed: (p) => p.stages.starSign.done === 1,
    },
    { name: 'crawl', ready: (p) => fraction(p.stages.crawl) >= crawlAt, passed: (p) => p.stages.crawl.complete },
  ];

  const started = Date.now();
  const runs = await Promise.all(DATA_KEYS.map((k) => stack.startSession(k)));
  const watched = runs[0];
  const hits: string[] = [];
  const skipped: string[] = [];
  let recoveryMs = 0;
  // Whichever remaining moment comes first: a crash can stall one stage (an activity without a
  // heartbeat waits out its start-to-close timeout) while the others run on and can still be hit.
  let remaining = [...points];
  while (remaining.length > 0) {
    let point: KillPoint | undefined;
    const moment = await waitForMoment(
      stack,
      watched,
      (p) => (point = remaining.find((k) => !k.passed(p) && k.ready(p))) !== undefined,
      (p) => remaining.every((k) => k.passed(p)),
      10 * 60_000,
    );
    if (!moment || !point) break;
    const hit = point;
    skipped.push(...remaining.filter((k) => k !== hit && k.passed(moment)).map((k) => k.name));
    remaining = remaining.filter((k) => k !== hit && !k.passed(moment));
    await sleep(rng() * 500);
    await stack.worker.kill9();
    hits.push(hit.name);
    console.log(`killed the worker during ${hit.name}: ${describeProgress(moment)}`);
    await sleep(rng() * 3_000);
    const restart = Date.now();
    await stack.worker.start();
    // Recovery: until the session reports progress again on the restarted worker.
    const before = JSON.stringify(moment.stages);
    await waitForMoment(stack, watched, (p) => JSON.stringify(p.stages) !== before, () => false, 5 * 60_000).catch(() => undefined);
    recoveryMs += Date.now() - restart;
  }
  skipped.push(...remaining.map((k) => k.name));
  const verdict = await verifyRuns(stack, baselines, runs, 10 * 60_000);
  reportVerdict('worker-crash', verdict, started, {
    kills: stack.worker.kills,
    restarts: stack.worker.starts - 1,
    killedDuring: hits.join(',') || 'none',
    skipped: skipped.join(',') || 'none',
    recoverySeconds: Math.round(recoveryMs / 1000),
  });
  assert.ok(hits.length >= 3, `kills landed during ${hits.join(', ')}; skipped ${skipped.join(', ')}`);
});
