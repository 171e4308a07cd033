// Request limits: the per-client token bucket (429 + Retry-After), the 16 kB body limit (413),
// and the security headers on every kind of response.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TokenBuckets } from '../../src/api/protection/rateLimit.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { type ServedApp, bearer, serveLightApp, testSecurity } from '../support/servedApp.js';

describe('token buckets', () => {
  test('burst, then the sustained rate; the wait to suggest; memory stays bounded', () => {
    let now = 0;
    const buckets = new TokenBuckets({ rate: 20, burst: 40 }, 3, () => now);
    for (let i = 0; i < 40; i++) assert.equal(buckets.take('a'), 0);
    const wait = buckets.take('a');
    assert.ok(wait > 0 && wait <= 0.05, `wait ${wait}`);
    assert.equal(buckets.take('b'), 0, 'another client has its own bucket');
    now += 100; // 0.1 s refills 2 tokens
    assert.equal(buckets.take('a'), 0);
    assert.equal(buckets.take('a'), 0);
    assert.ok(buckets.take('a') > 0);
    for (const c of ['c', 'd', 'e', 'f']) buckets.take(c);
    assert.ok(buckets.clients <= 3, `${buckets.clients} buckets kept`);
  });
});

describe('over HTTP', () => {
  const other = generateApiKey();
  let app: ServedApp;
  const security = testSecurity({ rateLimit: { rate: 2, burst: 4 } });
  before(async () => {
    security.apiKeys.push(other);
    app = await serveLightApp(security);
  });
  after(async () => {
    await app?.close();
  });
  // An invalid body: passes the guard, then stops at validation (no Temporal needed).
  const post = (headers: Record<string, string>, body = '{"bogus":1}') =>
    fetch(`${app.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  test('mutating requests: 4 at once per client, then 429 with Retry-After; buckets per key and per IP', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await post(bearer(app.apiKey))).status, 400);
    const limited = await post(bearer(app.apiKey));
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.deepEqual(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limited');

    assert.equal((await post(bearer(other))).status, 400, 'another key has its own bucket');
    // Without a valid key the IP is the client: guessing keys cannot buy fresh buckets.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(bearer(`guess-${i}-0123456789abcdef`))).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);

    for (let i = 0; i < 10; i++) assert.equal((await fetch(`${app.url}/api/sessions`, { headers: bearer(app.apiKey) })).status, 200, 'reads are not limited');
    await new Promise((r) => setTimeout(r, 600)); // 2/s refills one token
    assert.equal((await post(bearer(app.apiKey))).status, 400);
  });

  test('a body over 16 kB is 413 (and an unauthenticated one is refused before it is read)', async () => {
    const big = JSON.stringify({ dataKey: 'x'.repeat(17 * 1024) });
    const res = await post(bearer(other), big);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'body_too_large');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await post({}, big)).status, 401);
  });

  test('security headers on pages, API answers, errors and refusals', async () => {
    // A viewer token of another session: its answer for `nope` comes from the guard (404), before Temporal.
    const viewer = bearer(security.viewerTokens.issue('some-other-session').token);
    const responses = [
      await fetch(`${app.url}/`),
      await fetch(`${app.url}/api/sessions`, { headers: bearer(app.apiKey) }),
      await fetch(`${app.url}/api/sessions/nope`, { headers: viewer }),
      await fetch(`${app.url}/api/sessions`),
      await fetch(`${app.url}/no/such/page`),
      await post({}),
    ];
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 404, 401, 404, 401],
    );
    for (const res of responses) {
      const h = res.headers;
      assert.equal(h.get('x-content-type-options'), 'nosniff');
      assert.equal(h.get('x-frame-options'), 'DENY');
      assert.equal(h.get('referrer-policy'), 'no-referrer');
      assert.equal(h.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(h.get('x-powered-by'), null);
      const csp = h.get('content-security-policy') ?? '';
      for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: https://image.tmdb.org", "frame-ancestors 'none'", "object-src 'none'"]) {
        assert.ok(csp.includes(part), `CSP lacks ${part}: ${csp}`);
      }
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    }
    assert.match(responses[0].headers.get('content-type') ?? '', /text\/html/);
  });
});
