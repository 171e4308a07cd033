// Fault 4: PostgreSQL goes away for 30 s mid-session (every connection reset through the proxy, new
// ones refused) while fetch, show data and crawl activities are all in flight, and again for 15 s
// mid-crawl. Activities fail and are retried; the worker process survives; the session completes
// with exactly the baseline's rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PACED_ENV, sleep } from '../support/faults/processStack.js';
import { describeProgress, fraction, reportVerdict, seededRng, useFaultStack, verifyRuns, waitForMoment } from '../support/faults/harness.js';
import type { SessionProgress } from '../../src/contracts/index.js';

const DATA_KEY = 'demo-1k';
/** The first outage; the second (mid-crawl) is shorter, to keep the suite's time in check. */
const OUTAGE_MS = [30_000, 15_000];

const fixture = useFaultStack({ name: 'db', workerEnv: PACED_ENV }, [DATA_KEY]);

test('PostgreSQL cut for 30 s, then 15 s, mid-session: activities retry, the worker survives, the rows are intact', { timeout: 15 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const rng = seededRng(4);
  const fetchAt = 0.3 + rng() * 0.4;
  const crawlAt = 0.3 + rng() * 0.3;
  const workerPid = stack.worker.pid;
  const started = Date.now();
  const run = await stack.startSession(DATA_KEY);
  const moments = [
    // Every stage busy: pages still arriving, shows being enriched, the first chunks being crawled.
    {
      name: 'fetch',
      ready: (p: SessionProgress) => fraction(p.stages.fetch) >= fetchAt && p.stages.showData.done > 0 && p.stages.crawl.done > 0,
      passed: (p: SessionProgress) => p.stages.fetch.complete,
    },
    // The crawler in full swing (its show-level retries and dead letters are the other DB writers).
    { name: 'crawl', ready: (p: SessionProgress) => fraction(p.stages.crawl) >= crawlAt, passed: (p: SessionProgress) => p.stages.crawl.complete },
  ];
  const hits: string[] = [];
  for (const [i, m] of moments.entries()) {
    const moment = await waitForMoment(stack, run, m.ready, m.passed, 5 * 60_000);
    if (!moment) continue;
    console.log(`cutting PostgreSQL for ${OUTAGE_MS[i] / 1000} s during ${m.name}: ${describeProgress(moment)}`);
    await stack.proxy.cut(OUTAGE_MS[i]);
    hits.push(m.name);
    await sleep(1_000);
    assert.ok(stack.worker.running, `the worker died during the outage:\n${stack.worker.logTail()}`);
  }

  const verdict = await verifyRuns(stack, baselines, [run], 10 * 60_000);
  const proxy = stack.proxy.stats();
  reportVerdict('db-outage', verdict, started, {
    cuts: proxy.cuts,
    during: hits.join(',') || 'none',
    outageSeconds: Math.round(proxy.outageMs / 1000),
    connectionsReset: proxy.killed,
    workerRestarts: stack.worker.starts - 1,
    workerSurvived: stack.worker.running && stack.worker.pid === workerPid,
  });
  assert.equal(hits.length, 2, `outages landed during ${hits.join(', ')}`);
  assert.ok(stack.worker.running && stack.worker.pid === workerPid, `the worker process did not survive:\n${stack.worker.logTail()}`);
});
