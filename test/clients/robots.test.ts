// The robots.txt policy: our own group overrides `*`, a missing robots.txt allows everything, an
// unreachable one is a transient error (RFC 9309), and concurrent checks share one fetch.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { TransientServiceError } from '../../src/clients/errors.js';
import { DEFAULT_RETRY, createServiceCaller } from '../../src/clients/retry.js';
import { createRobotsPolicy } from '../../src/clients/robots.js';
import type { RateLimiter } from '../../src/clients/rateLimiter.js';

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** A site whose robots.txt answers `status` with `body`, counting the fetches. */
async function site(status: number, body = ''): Promise<{ url: string; fetches: () => number }> {
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url === '/robots.txt') fetches++;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fetches: () => fetches };
}

// No rate limits and quick retries; the limiter is never consulted for a rate here.
const noLimits: RateLimiter = { acquire: async () => undefined, pushBack: async () => undefined, onThrottled: async () => undefined, onSuccess: async () => undefined };
const policy = (userAgent: string) =>
  createRobotsPolicy({ service: 'rt', userAgent, caller: createServiceCaller(noLimits, undefined, { ...DEFAULT_RETRY, attempts: 2, baseDelayMs: 1 }), timeoutMs: 2000 });

const ROBOTS = 'User-agent: *\nDisallow: /tv/\n\nUser-agent: showprint-crawler\nDisallow: /tv/secret\nAllow: /tv/\n';

test('our own group (by the product token of our User-Agent) overrides the * group', async () => {
  const { url } = await site(200, ROBOTS);
  const ours = policy('showprint-crawler/0.1 (+https://example.invalid; contact@example.invalid)');
  assert.equal(await ours.disallowedPath(`${url}/tv/the_bear`), null);
  assert.equal(await ours.disallowedPath(`${url}/tv/secret_show`), '/tv/secret_show');
  const someoneElse = policy('other-bot/1.0');
  assert.equal(await someoneElse.disallowedPath(`${url}/tv/the_bear`), '/tv/the_bear');
});

test('a missing robots.txt (4xx) allows everything', async () => {
  const { url } = await site(404);
  assert.equal(await policy('showprint-crawler/0.1').disallowedPath(`${url}/search?search=x`), null);
});

test('an unreachable robots.txt (5xx) is a transient error, and the next check fetches it again', async () => {
  const { url, fetches } = await site(500);
  const p = policy('showprint-crawler/0.1');
  await assert.rejects(p.disallowedPath(`${url}/tv/x`), (e: unknown) => e instanceof TransientServiceError && /robots\.txt answered HTTP 500/.test(e.message));
  const afterFirst = fetches();
  await assert.rejects(p.disallowedPath(`${url}/tv/x`));
  assert.ok(fetches() > afterFirst, 'a failed fetch is not cached');
});

test('a robots.txt answered 503 is a pace: fetched again until the throttle patience runs out, spending no attempt', async () => {
  const { url, fetches } = await site(503);
  const p = createRobotsPolicy({ service: 'rt', userAgent: 'showprint-crawler/0.1', caller: createServiceCaller(noLimits, undefined, { ...DEFAULT_RETRY, attempts: 1, throttlePatienceMs: 200 }), timeoutMs: 2000 });
  await assert.rejects(p.disallowedPath(`${url}/tv/x`), (e: unknown) => e instanceof TransientServiceError && e.throttled && /HTTP 503/.test(e.message));
  assert.ok(fetches() > 1, `fetched ${fetches()} times with one attempt`);
});

test('concurrent checks share one fetch, and later ones use the cache', async () => {
  const { url, fetches } = await site(200, ROBOTS);
  const p = policy('showprint-crawler/0.1');
  await Promise.all(Array.from({ length: 10 }, (_, i) => p.disallowedPath(`${url}/tv/show_${i}`)));
  await p.disallowedPath(`${url}/tv/another`);
  assert.equal(fetches(), 1);
});
