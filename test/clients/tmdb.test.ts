// TMDB answers are validated at run time (DESIGN §2): our fixtures in the real structure fit the
// client's schemas, a wrong field type is a transient TmdbBadResponse with its path and a sample,
// and (contract) the TMDB stand-in's answers fit the very same schemas. The stand-in's region twins
// ("Big Brother (U.S.)" beside a more popular British "Big Brother") resolve to the tagged country.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { TransientServiceError } from '../../src/clients/errors.js';
import {
  createTmdbClient, parseTmdbBody, responseSampleAt, tmdbFindSchema, tmdbSearchResponseSchema, tmdbShowDetailsSchema,
} from '../../src/clients/tmdb.js';
import { displayShowName, regionOf } from '../../src/domain/names.js';
import { pickTmdbMatch } from '../../src/domain/tmdbMatch.js';
import { imdbIdFor, tvdbIdFor } from '../../standins/catalog.js';
import { type ListeningStandin, buildCatalog, createTmdbStandin, listenStandin } from '../../standins/index.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tmdb/${name}`, import.meta.url), 'utf8');
const searchFixture = fixture('search-tv.json');
const detailsFixture = fixture('tv-details.json');
const badFixture = fixture('tv-details-bad-type.json');

/** What parseTmdbBody threw, checked to be a TmdbBadResponse. */
function badResponse(fn: () => unknown): TransientServiceError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TransientServiceError, String(error));
    assert.equal(error.type, 'TmdbBadResponse');
    return error;
  }
  assert.fail('expected a TmdbBadResponse');
}
const sampleOf = (error: Error): string => error.message.slice(error.message.indexOf('; sample: ') + '; sample: '.length);

void test('the search fixture fits: extra fields dropped, null poster and null date tolerated', () => {
  const body = parseTmdbBody(tmdbSearchResponseSchema, '/search/tv', searchFixture);
  assert.equal(body.results.length, 4);
  const [uk, us, bitOnTheSide, afterDark] = body.results;
  assert.deepEqual([uk.origin_country, us.origin_country], [['GB'], ['US']]);
  assert.equal(uk.name, us.name);
  assert.equal(bitOnTheSide.poster_path, null);
  assert.equal(afterDark.first_air_date, null);
  assert.ok(!('vote_count' in uk), 'extras are not carried along');
  // Two same-named shows: the tag picks the country; without it, the more popular British one.
  assert.equal(pickTmdbMatch('Big Brother (U.S.)', { first: 2024, last: 2025 }, body.results)?.id, 64187);
  assert.equal(pickTmdbMatch('Big Brother (UK)', { first: 2024, last: 2025 }, body.results)?.id, 64211);
  assert.equal(pickTmdbMatch('Big Brother', { first: 2024, last: 2025 }, body.results)?.id, 64211);
});

void test('the details fixture fits, with aggregate_credits and a null profile_path', () => {
  const details = parseTmdbBody(tmdbShowDetailsSchema, '/tv/64187', detailsFixture);
  assert.equal(details.number_of_episodes, 893);
  assert.deepEqual(details.genres.map((g) => g.name), ['Reality', 'Talk']);
  assert.equal(details.aggregate_credits.cast.length, 2);
  assert.equal(details.aggregate_credits.cast[1].profile_path, null);
  assert.equal(details.aggregate_credits.cast[1].roles.length, 2);
});

void test('a wrong field type is a TmdbBadResponse naming the path, with a sample of at most 200 characters', () => {
  const error = badResponse(() => parseTmdbBody(tmdbShowDetailsSchema, '/tv/64187', badFixture));
  assert.match(error.message, /^TMDB answered \/tv\/64187 with an unexpected shape at number_of_episodes: /);
  const sample = sampleOf(error);
  assert.ok(sample.length <= 200, `sample of ${sample.length} chars`);
  assert.match(sample, /"number_of_episodes": "ten"/, 'the sample shows the offending field');

  const json = JSON.parse(detailsFixture) as Record<string, unknown> & { aggregate_credits?: { cast: Record<string, unknown>[] } };
  const variants: [string, (d: typeof json) => void, RegExp][] = [
    ['genres not an array', (d) => { d.genres = 'Reality'; }, /at genres: /],
    ['a cast member without a name', (d) => { delete d.aggregate_credits!.cast[1].name; }, /at aggregate_credits\.cast\.1\.name: /],
    ['popularity as a string', (d) => { d.aggregate_credits!.cast[0].popularity = '8.7'; }, /at aggregate_credits\.cast\.0\.popularity: /],
    ['no aggregate_credits', (d) => { delete d.aggregate_credits; }, /at aggregate_credits: /],
    ['a malformed date', (d) => { d.first_air_date = '07/05/2000'; }, /at first_air_date: /],
    ['a fractional episode count', (d) => { d.number_of_episodes = 8.5; }, /at number_of_episodes: /],
  ];
  for (const [what, mutate, where] of variants) {
    const copy = structuredClone(json);
    mutate(copy);
    const e = badResponse(() => parseTmdbBody(tmdbShowDetailsSchema, '/tv/64187', JSON.stringify(copy)));
    assert.match(e.message, where, what);
    assert.ok(sampleOf(e).length <= 200, what);
  }
  // …while the nulls real TMDB sends are fine.
  const nulls = structuredClone(json);
  Object.assign(nulls, { poster_path: null, first_air_date: null, overview: null, number_of_episodes: null });
  assert.equal(parseTmdbBody(tmdbShowDetailsSchema, '/tv/64187', JSON.stringify(nulls)).poster_path, null);

  const search = JSON.parse(searchFixture) as { results: Record<string, unknown>[] };
  search.results[2].origin_country = 'GB';
  assert.match(badResponse(() => parseTmdbBody(tmdbSearchResponseSchema, '/search/tv', JSON.stringify(search))).message, /at results\.2\.origin_country: /);
  const notJson = badResponse(() => parseTmdbBody(tmdbSearchResponseSchema, '/search/tv', '<html>' + 'x'.repeat(500)));
  assert.match(notJson.message, /not JSON; sample: <html>x+…$/);
  assert.ok(sampleOf(notJson).length <= 200);
});

void test('responseSampleAt: the body start, or a window around the offending key, never over 200 chars', () => {
  assert.equal(responseSampleAt('{"a":1}'), '{"a":1}');
  const long = JSON.stringify({ filler: 'f'.repeat(400), number_of_episodes: 'ten', tail: 't'.repeat(400) });
  const sample = responseSampleAt(long, ['number_of_episodes']);
  assert.equal(sample.length, 200);
  assert.match(sample, /^….*"number_of_episodes":"ten".*…$/);
});

void test('the client turns a misfit answer into TmdbBadResponse (not a crash, not a row) and keeps 404 = not found', async () => {
  const bodies: Record<string, string> = { '/3/search/tv': searchFixture, '/3/tv/64187': detailsFixture, '/3/tv/1': badFixture, '/3/tv/2': '{"id": 2, "name": ' };
  const server: Server = createServer((req, res) => {
    const body = bodies[new URL(req.url!, 'http://x').pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{"status_code":34}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = createTmdbClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`, apiKey: 'k', timeoutMs: 2_000 });
    assert.equal((await client.searchTv('Big Brother')).length, 4);
    assert.equal((await client.tvDetails(64187))?.aggregate_credits.cast[0].name, 'Julie Chen Moonves');
    assert.equal(await client.tvDetails(404), null);
    for (const id of [1, 2]) {
      const error = await client.tvDetails(id).catch((e: unknown) => e);
      assert.ok(error instanceof TransientServiceError && error.type === 'TmdbBadResponse', String(error));
      assert.match(error.message, /sample: /);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

const catalog = buildCatalog();
const twins = catalog.shows.filter((s) => s.decoyBy === 'region');
let standin: ListeningStandin;
before(async () => {
  standin = await listenStandin(createTmdbStandin({ catalog, apiKey: 'k', limits: { latencyMs: 0, jitterMs: 0, rps: 100_000, burst: 100_000, faultRate: 0 } }));
});
after(async () => {
  await standin?.close();
});

async function rawGet(path: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${standin.url}${path}?${new URLSearchParams({ ...params, api_key: 'k' })}`);
  assert.equal(response.status, 200, path);
  return response.text();
}

void test('contract: the TMDB stand-in answers search and details in the shapes the client validates', async () => {
  // Tagged shows, their twins, decoys, shows whose poster or cast photos are missing: all must fit.
  const sample = [
    ...catalog.shows.filter((s) => s.onTmdb).slice(0, 40),
    ...twins.slice(0, 10),
    ...twins.slice(0, 10).map((t) => catalog.showById.get(t.decoyOf!)!),
    ...catalog.shows.filter((s) => s.decoyOf !== undefined && s.decoyBy === undefined).slice(0, 5),
  ];
  let nullPosters = 0;
  let nullPhotos = 0;
  for (const show of sample) {
    const search = parseTmdbBody(tmdbSearchResponseSchema, '/search/tv', await rawGet('/search/tv', { query: show.name, include_adult: 'false', language: 'en-US', page: '1' }));
    assert.ok(search.results.some((r) => r.id === show.id), `${show.name} is found`);
    const details = parseTmdbBody(tmdbShowDetailsSchema, `/tv/${show.id}`, await rawGet(`/tv/${show.id}`, { language: 'en-US', append_to_response: 'aggregate_credits' }));
    assert.equal(details.id, show.id);
    assert.equal(details.aggregate_credits.cast.length, show.cast.length);
    if (details.poster_path === null) nullPosters++;
    nullPhotos += details.aggregate_credits.cast.filter((c) => c.profile_path === null).length;
  }
  assert.ok(nullPhotos > 0, 'the stand-in sends null profile_path like real TMDB');
  // Missing posters are rarer; look for one over the whole catalog through the client as well.
  const client = createTmdbClient({ url: standin.url, apiKey: 'k', timeoutMs: 2_000 });
  for (const show of catalog.shows.filter((s) => s.onTmdb)) {
    if (nullPosters > 0) break;
    if ((await client.tvDetails(show.id))?.poster_path === null) nullPosters++;
  }
  assert.ok(nullPosters > 0, 'the stand-in sends null poster_path like real TMDB');
});

void test('region twins in the default catalog resolve to the tagged country through pickTmdbMatch', async () => {
  assert.ok(twins.length >= 50, `region twins: ${twins.length}`);
  const client = createTmdbClient({ url: standin.url, apiKey: 'k', timeoutMs: 2_000 });
  const countries = new Set<string>();
  for (const twin of twins) {
    const real = catalog.showById.get(twin.decoyOf!)!;
    const region = regionOf(real.netflixName);
    assert.ok(region && real.originCountry.includes(region) && !twin.originCountry.includes(region), real.netflixName);
    countries.add(region);
    // What the app does: search by the name it stores (tag stripped), pick with the stored region.
    const name = displayShowName(real.netflixName);
    const results = await client.searchTv(name);
    const realYear = Number(real.firstAirDate.slice(0, 4));
    // Without watch dates a show that also has a year decoy can't be told from it (not this rule's job).
    const hasYearDecoy = catalog.shows.some((s) => s.decoyOf === real.id && s.decoyBy === undefined);
    const spans = [{ first: realYear, last: realYear }, { first: realYear + 1, last: 2026 }, ...(hasYearDecoy ? [] : [null])];
    for (const watched of spans) {
      assert.equal(pickTmdbMatch(name, watched, results, region)?.id, real.id, `${real.netflixName} ${JSON.stringify(watched)}`);
      // The twin is a real trap: without the region rule it would win.
      assert.equal(pickTmdbMatch(name, watched, results, null)?.id, twin.id, `${real.netflixName} without its tag`);
    }
  }
  assert.deepEqual([...countries].sort(), ['GB', 'US']);
});

void test('/find: a series id gives its tv result, an episode id its show_id, an unknown id or a 404 nothing', async () => {
  const bodies: Record<string, string> = {
    '/3/find/tt0251497': fixture('find-imdb-tv.json'),
    '/3/find/tt1130462': fixture('find-imdb-episode.json'),
    '/3/find/tt0000001': fixture('find-empty.json'),
    '/3/find/76706': fixture('find-imdb-tv.json'),
    '/3/find/tt0000002': '{"tv_results": [{"id": "64187"}]}',
  };
  const asked: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    asked.push(url);
    const body = bodies[url.pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{"status_code":34}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = createTmdbClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`, apiKey: 'k', timeoutMs: 2_000 });
    assert.equal(await client.findTvId('tt0251497', 'imdb_id'), 64187);
    assert.equal(asked[0]!.searchParams.get('external_source'), 'imdb_id');
    assert.equal(await client.findTvId('76706', 'tvdb_id'), 64187);
    assert.equal(asked[1]!.searchParams.get('external_source'), 'tvdb_id');
    assert.equal(await client.findTvId('tt1130462', 'imdb_id'), 64187);
    assert.equal(await client.findTvId('tt0000001', 'imdb_id'), null);
    assert.equal(await client.findTvId('tt0000404', 'imdb_id'), null);
    const bad = await client.findTvId('tt0000002', 'imdb_id').catch((e: unknown) => e);
    assert.ok(bad instanceof TransientServiceError && bad.type === 'TmdbBadResponse', String(bad));
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

void test('contract: the TMDB stand-in answers /find in the fixture\'s shape, for IMDb and TVDB ids, and empty lists for an unknown id', async () => {
  const structure = (body: string) => {
    const doc = JSON.parse(body) as Record<string, Record<string, unknown>[]>;
    return { lists: Object.keys(doc).sort(), tv: [...new Set(doc.tv_results!.map((r) => Object.keys(r).filter((k) => k in tmdbFindTvKeys).sort().join()))] };
  };
  const tmdbFindTvKeys = JSON.parse(fixture('find-imdb-tv.json')).tv_results[0] as Record<string, unknown>;
  const want = structure(fixture('find-imdb-tv.json'));
  const show = catalog.shows.find((s) => s.onTmdb)!;
  for (const [id, source] of [[imdbIdFor(show), 'imdb_id'], [tvdbIdFor(show), 'tvdb_id']] as const) {
    const body = await rawGet(`/find/${id}`, { external_source: source });
    assert.deepEqual(structure(body), want, source);
    assert.equal(parseTmdbBody(tmdbFindSchema, '/find', body).tv_results[0]!.id, show.id);
  }
  assert.deepEqual(JSON.parse(await rawGet('/find/tt0000000', { external_source: 'imdb_id' })), JSON.parse(fixture('find-empty.json')));
  const client = createTmdbClient({ url: standin.url, apiKey: 'k', timeoutMs: 2_000 });
  assert.equal(await client.findTvId(imdbIdFor(show), 'imdb_id'), show.id);
  assert.equal(await client.findTvId('tt0000000', 'imdb_id'), null);
  // A show missing from TMDB is not found by its ids either.
  const offTmdb = catalog.shows.find((s) => !s.onTmdb)!;
  assert.equal(await client.findTvId(imdbIdFor(offTmdb), 'imdb_id'), null);
});
