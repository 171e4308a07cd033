// Fault 3: flaky services. Gandalf, TMDB and RT answer 20% of requests with a 5xx, some responses
// take longer than the client's timeout (HTTP_TIMEOUT=1s), and TMDB throws stretches of 429 with
// Retry-After. The client retries and the activity retries ride it out: sessions complete, no show
// is dead-lettered, and the rows and report equal the fault-free baseline's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAULT_STANDIN_LIMITS, sleep } from '../support/faults/processStack.js';
import { reportVerdict, seededRng, useFaultStack, verifyRuns } from '../support/faults/harness.js';

const DATA_KEYS = ['demo-1k', 'demo-small'];
// The mix, adjustable to tell the faults apart: FLAKY_5XX=0.2 FLAKY_SLOW=0.05 FLAKY_429=1.
const RATE_5XX = Number(process.env.FLAKY_5XX ?? 0.2);
const RATE_SLOW = Number(process.env.FLAKY_SLOW ?? 0.05);
const BURSTS_429 = process.env.FLAKY_429 !== '0';

const fixture = useFaultStack({ name: 'flaky', workerEnv: { HTTP_TIMEOUT: '1s', TMDB_RPS: '60', RT_RPS: '60' } }, DATA_KEYS);

test('20% 5xx, responses slower than the timeout and bursts of 429: sessions complete with nothing lost', { timeout: 15 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const { standins } = stack;
  const rng = seededRng(3);
  standins.resetStats();
  for (const service of ['gandalf', 'tmdb', 'rt'] as const) standins.setLimits(service, { faultRate: RATE_5XX, slowRate: RATE_SLOW, slowMs: 1_500 });

  // Stretches of a starved TMDB bucket (429 with Retry-After until it refills), back to back with
  // short normal spells, for as long as the sessions run.
  let bursts = 0;
  let stop = false;
  const storms = (async () => {
    while (!stop && BURSTS_429) {
      bursts++;
      standins.setLimits('tmdb', { rps: 2, burst: 2 });
      await sleep(1_500 + rng() * 2_000);
      standins.setLimits('tmdb', { rps: FAULT_STANDIN_LIMITS.tmdb!.rps, burst: FAULT_STANDIN_LIMITS.tmdb!.burst });
      await sleep(1_000 + rng() * 1_500);
    }
  })();

  const started = Date.now();
  const runs = await Promise.all(DATA_KEYS.map((k) => stack.startSession(k)));
  let verdict;
  try {
    verdict = await verifyRuns(stack, baselines, runs, 10 * 60_000);
  } finally {
    stop = true;
    await storms;
  }
  const stats = standins.stats();
  const served = {
    served5xx: stats.gandalf.faults + stats.tmdb.faults + stats.rt.faults,
    served429: stats.gandalf.rateLimited + stats.tmdb.rateLimited + stats.rt.rateLimited,
    servedSlow: stats.gandalf.slow + stats.tmdb.slow + stats.rt.slow,
  };
  reportVerdict('flaky-services', verdict, started, { ...served, bursts429: bursts, requests: stats.gandalf.requests + stats.tmdb.requests + stats.rt.requests });
  // The faults really were served (a no-op injection would pass everything above).
  if (RATE_5XX > 0) assert.ok(served.served5xx > 0, 'no 5xx was served');
  if (BURSTS_429) assert.ok(served.served429 > 0, 'no 429 was served');
  if (RATE_SLOW > 0) assert.ok(served.servedSlow > 0, 'no slow response was served');
});
