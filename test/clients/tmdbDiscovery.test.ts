// The catalog crawler's discovery requests: TMDB's /tv/{id}/recommendations and /tv/{id}/similar
// answer pages shaped like /search/tv's. Our fixtures in that structure fit the client's schema
// (recommendations carry media_type, similar does not), a misfit is a TmdbBadResponse, the client
// asks the right paths and reads 404 as "TMDB does not know this show".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { TransientServiceError } from '../../src/clients/errors.js';
import { createTmdbClient, parseTmdbBody, tmdbTvListSchema } from '../../src/clients/tmdb.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tmdb/${name}`, import.meta.url), 'utf8');
const recommendations = fixture('tv-recommendations.json');
const similar = fixture('tv-similar.json');

void test('the recommendations fixture fits: paging kept, media_type dropped, empty date and null images tolerated', () => {
  const page = parseTmdbBody(tmdbTvListSchema, '/tv/1/recommendations', recommendations);
  assert.deepEqual([page.page, page.total_pages, page.total_results, page.results.length], [1, 2, 23, 3]);
  const [lanterns, glace, harbour] = page.results;
  assert.deepEqual([lanterns.id, lanterns.name, lanterns.popularity], [91872, 'The Lantern Keepers', 143.2871]);
  assert.ok(!('media_type' in lanterns), 'extras are not carried along');
  assert.equal(glace.first_air_date, '');
  assert.equal(glace.poster_path, null);
  assert.deepEqual(harbour.origin_country, ['GB', 'IE']);
});

void test('the similar fixture fits, its original_name in another script', () => {
  const page = parseTmdbBody(tmdbTvListSchema, '/tv/1/similar', similar);
  assert.deepEqual(page.results.map((r) => r.id), [60622, 118004]);
  assert.equal(page.results[1].original_name, '바다의 기억');
  assert.equal(page.total_results, 47);
});

void test('a result without a popularity number is a TmdbBadResponse naming its path', () => {
  const bad = recommendations.replace('"popularity": 27.55', '"popularity": "high"');
  assert.notEqual(bad, recommendations);
  try {
    parseTmdbBody(tmdbTvListSchema, '/tv/1/recommendations', bad);
    assert.fail('expected a TmdbBadResponse');
  } catch (error) {
    assert.ok(error instanceof TransientServiceError && error.type === 'TmdbBadResponse', String(error));
    assert.match(error.message, /at results\.2\.popularity/);
  }
});

void test('the client asks /tv/{id}/recommendations and /similar with the page, and reads 404 as null', async () => {
  const asked: string[] = [];
  const bodies: Record<string, string> = { '/3/tv/4242/recommendations': recommendations, '/3/tv/4242/similar': similar };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    asked.push(`${url.pathname}?page=${url.searchParams.get('page')}&language=${url.searchParams.get('language')}&api_key=${url.searchParams.get('api_key')}`);
    const body = bodies[url.pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{"status_code":34,"status_message":"The resource you requested could not be found.","success":false}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = createTmdbClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`, apiKey: 'k', timeoutMs: 2_000 });
    assert.equal((await client.tvRecommendations(4242))?.results.length, 3);
    assert.equal((await client.tvSimilar(4242, 2))?.total_pages, 3);
    assert.equal(await client.tvRecommendations(1), null);
    assert.deepEqual(asked, [
      '/3/tv/4242/recommendations?page=1&language=en-US&api_key=k',
      '/3/tv/4242/similar?page=2&language=en-US&api_key=k',
      '/3/tv/1/recommendations?page=1&language=en-US&api_key=k',
    ]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
