// Contract: the TMDB stand-in's /tv/{id}/recommendations and /similar answer in the structure of
// our fixtures (test/fixtures/tmdb/tv-*.json, real TMDB's shape): the same page fields and, on
// every result, at least the fields a fixture result has; the client's schema accepts them. The
// lists are derived from the catalog alone: two stand-ins agree, pages continue each other, a
// show never recommends itself, and only shows on TMDB appear.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parseTmdbBody, tmdbTvListSchema } from '../../src/clients/tmdb.js';
import { type ListeningStandin, buildCatalog, createTmdbStandin, listenStandin } from '../../standins/index.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/tmdb/${name}`, import.meta.url), 'utf8')) as { results: Record<string, unknown>[] };
const catalog = buildCatalog();
const limits = { latencyMs: 0, jitterMs: 0, rps: 100_000, burst: 100_000, faultRate: 0 };
let one: ListeningStandin;
let two: ListeningStandin;
before(async () => {
  one = await listenStandin(createTmdbStandin({ catalog, apiKey: 'k', limits }));
  two = await listenStandin(createTmdbStandin({ catalog: buildCatalog(), apiKey: 'k', limits }));
});
after(async () => {
  await one?.close();
  await two?.close();
});

async function get(standin: ListeningStandin, path: string, page = 1): Promise<{ status: number; body: Record<string, unknown> & { results: Record<string, unknown>[] } }> {
  const res = await fetch(`${standin.url}${path}?${new URLSearchParams({ language: 'en-US', page: String(page), api_key: 'k' })}`);
  return { status: res.status, body: (await res.json()) as never };
}

const sample = catalog.shows.filter((s) => s.onTmdb).filter((_, i) => i % 97 === 0);

for (const kind of ['recommendations', 'similar'] as const) {
  void test(`${kind}: the fixture's structure, the client's schema, pages that continue each other, the same on every stand-in`, async () => {
    const expected = fixture(`tv-${kind}.json`);
    const resultKeys = Object.keys(expected.results[0]!).sort();
    let nonEmpty = 0;
    for (const show of sample) {
      const first = await get(one, `/tv/${show.id}/${kind}`);
      assert.equal(first.status, 200);
      assert.deepEqual(Object.keys(first.body).sort(), ['page', 'results', 'total_pages', 'total_results']);
      for (const result of first.body.results) assert.deepEqual(Object.keys(result).sort(), resultKeys, `${kind} of ${show.id}`);
      const page = parseTmdbBody(tmdbTvListSchema, `/tv/${show.id}/${kind}`, JSON.stringify(first.body));
      if (page.total_results > 0) nonEmpty++;
      const ids = page.results.map((r) => r.id);
      assert.ok(!ids.includes(show.id), 'a show is not its own neighbour');
      assert.ok(ids.every((id) => catalog.showById.get(id)?.onTmdb), 'only shows TMDB has');
      const second = parseTmdbBody(tmdbTvListSchema, '', JSON.stringify((await get(one, `/tv/${show.id}/${kind}`, 2)).body));
      const all = [...ids, ...second.results.map((r) => r.id)];
      assert.equal(new Set(all).size, all.length, 'page 2 continues page 1');
      assert.equal(all.length, Math.min(page.total_results, 40));
      assert.deepEqual((await get(two, `/tv/${show.id}/${kind}`)).body, first.body, 'derived from the catalog alone');
    }
    assert.ok(nonEmpty >= sample.length * 0.9, `most shows have ${kind} (${nonEmpty} of ${sample.length})`);
  });
}

void test('an unknown show is a TMDB 404 for both lists', async () => {
  for (const kind of ['recommendations', 'similar']) {
    const res = await get(one, `/tv/999999999/${kind}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.status_code, 34);
  }
});
