// The shared limiter: two workers over one database together stay under the service's rate, and a
// Retry-After delays the next request for every worker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TransientServiceError } from '../../src/clients/errors.js';
import { createDbRateLimiter } from '../../src/clients/rateLimiter.js';
import { callWithRetry } from '../../src/clients/retry.js';
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
