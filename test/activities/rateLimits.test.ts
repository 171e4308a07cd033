// The shared limiter: two workers over one database together stay under the service's rate, and a
// Retry-After delays the next request for every worker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TransientServiceError } from '../../src/clients/errors.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { createCircuitBreakers } from '../../src/clients/circuitBreaker.js';
import { DEFAULT_RETRY, callWithRetry } from '../../src/clients/retry.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

test('two limiters sharing the database admit no more than the rate between them', async () => {
  const rate = 40;
  const workerA = createDbRateLimiter(db.db, { tmdb: rate });
  const workerB = createDbRateLimiter(db.db, { tmdb: rate });
  const admitted: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => (i % 2 ? workerA : workerB).acquire('tmdb').then(() => admitted.push(Date.now() - started))),
  );
  // 40 requests at 40/s: the last one can't start before ~39 intervals have passed.
  admitted.sort((a, b) => a - b);
  assert.ok(admitted.at(-1)! >= (39 / rate) * 1000 * 0.9, `last admitted after ${admitted.at(-1)} ms`);
  // And in any one-second window there are at most rate + 1 admissions.
  for (const t of admitted) assert.ok(admitted.filter((u) => u >= t && u < t + 1000).length <= rate + 1);
});

test("a 429's Retry-After holds back the next attempt, shared through the limiter", async () => {
  const limiter = createDbRateLimiter(db.db, { gandalf: 1000 });
  const attempts: number[] = [];
  const started = Date.now();
  const result = await callWithRetry('gandalf', limiter, async () => {
    attempts.push(Date.now() - started);
    if (attempts.length === 1) throw new TransientServiceError('GandalfUnavailable', 'HTTP 429', 700);
    return 'ok';
  });
  assert.equal(result, 'ok');
  assert.equal(attempts.length, 2);
  assert.ok(attempts[1] - attempts[0] >= 650, `second attempt after ${attempts[1] - attempts[0]} ms`);
  // Another worker asking right after the 429 waits too.
  const other = createDbRateLimiter(db.db, { gandalf: 1000 });
  await limiter.pushBack('gandalf', 500);
  const t0 = Date.now();
  await other.acquire('gandalf');
  assert.ok(Date.now() - t0 >= 450);
});

test('refusals for pace (429, 503) spend no attempt and strike no circuit; real failures do', async () => {
  const limiter = createDbRateLimiter(db.db, { wikidata: 1000 });
  const breakers = createCircuitBreakers({ failureThreshold: 2 });
  const policy = { ...DEFAULT_RETRY, attempts: 2, baseDelayMs: 1 };
  let calls = 0;
  // Six refusals in a row, then the answer: with 2 attempts, none of them may count.
  const result = await callWithRetry(
    'wikidata',
    limiter,
    async () => {
      calls++;
      await limiter.pushBack('wikidata', 0);
      if (calls <= 6) throw new TransientServiceError('WikidataUnavailable', `Wikidata answered HTTP ${calls % 2 ? 429 : 503}`, 0, true);
      return 'ok';
    },
    policy,
    undefined,
    breakers,
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 7);
  assert.equal(breakers.state('wikidata'), 'closed');
  // A real failure (a 502) spends attempts and strikes the circuit.
  calls = 0;
  await assert.rejects(
    callWithRetry('wikidata', limiter, async () => {
      calls++;
      throw new TransientServiceError('WikidataUnavailable', 'Wikidata answered HTTP 502');
    }, policy, undefined, breakers),
    (error: Error & { attempts?: number }) => error.attempts === 2,
  );
  assert.equal(calls, 2);
  assert.equal(breakers.state('wikidata'), 'open');
});

test('throttling has a time budget: refused for pace past the patience, the call gives up with the refusal', async () => {
  const limiter = createDbRateLimiter(db.db, { openai: 1000 });
  const started = Date.now();
  await assert.rejects(
    callWithRetry('openai', limiter, async () => {
      throw new TransientServiceError('OpenAiUnavailable', 'HTTP 429', 50, true);
    }, { ...DEFAULT_RETRY, attempts: 1, throttlePatienceMs: 300 }),
    (error: Error & { throttledForMs?: number }) => /429/.test(error.message) && (error.throttledForMs ?? 0) >= 300,
  );
  assert.ok(Date.now() - started >= 300);
});

test('no herd after a pause: callers waiting out a Retry-After resume spaced at the current rate, not all at once', async () => {
  const limiter = createDbRateLimiter(db.db, { tmdb: 10 });
  await limiter.acquire('tmdb');
  await limiter.onThrottled('tmdb', 500);
  const rate = (await db.db.selectFrom('rate_limits').select('current_rps').where('service', '=', 'tmdb').executeTakeFirstOrThrow()).current_rps!;
  const started = Date.now();
  const admitted = (await Promise.all(Array.from({ length: 6 }, () => limiter.acquire('tmdb').then(() => Date.now() - started)))).sort((a, b) => a - b);
  const interval = 1000 / rate;
  assert.ok(admitted[0]! >= 450, `the first went ${admitted[0]} ms after the pause began`);
  // Six callers, one interval apart at the cut rate: not a burst when the pause ends.
  assert.ok(admitted[5]! - admitted[0]! >= 5 * interval * 0.9, `admitted over ${admitted[5]! - admitted[0]!} ms at ${rate.toFixed(1)}/s: ${admitted.join(' ')}`);
  for (let i = 1; i < admitted.length; i++) assert.ok(admitted[i]! - admitted[i - 1]! >= interval * 0.5, `gaps: ${admitted.join(' ')}`);
});
