// The Wikidata client against a loopback server serving the hand-written fixture, and against the stand-in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { PermanentServiceError, TransientServiceError } from '../../src/clients/errors.js';
import { MAX_GET_QUERY_CHARS, createWikidataClient, rtIdsQuery } from '../../src/clients/wikidata.js';
import { WIKIDATA_REAL_URL, loadConfig, wikidataUrlFor } from '../../src/config/index.js';
import { buildCatalog } from '../../standins/catalog.js';
import { type ListeningStandin, listenStandin } from '../../standins/http.js';
import { rtFactsFor } from '../../standins/rtFacts.js';
import { createWikidataStandin, userAgentProblem } from '../../standins/wikidata.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/wikidata/${name}`, import.meta.url), 'utf8');
const FIXTURE_QUERY = fixture('rtIds.query.sparql').trim();
const FIXTURE_ANSWER = fixture('rtIds.response.json');
const AGENT = 'showprint-test/1.0 (+https://github.com/showprint; tests@example.org) got/14';

interface Seen { method: string; url: URL; headers: IncomingMessage['headers']; body: string }
type Reply = (seen: Seen, res: ServerResponse) => void | Promise<void>;

let server: Server;
let url: string;
let reply: Reply;
const seen: Seen[] = [];
let inFlight = 0;
let maxInFlight = 0;

const json = (body: string, status = 200, headers: Record<string, string> = {}) => (_s: Seen, res: ServerResponse): void => {
  res.writeHead(status, { 'content-type': 'application/sparql-results+json;charset=utf-8', ...headers }).end(body);
};

before(async () => {
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      void Promise.resolve(reply(s, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sparql`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const client = (maxInFlightOpt?: number) => createWikidataClient({ url, userAgent: AGENT, timeoutMs: 3000, maxInFlight: maxInFlightOpt });
const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected a rejection'), (e: unknown) => e);

test('the fixture query goes as GET with the SPARQL JSON Accept header and the agent; every RT id is kept, unbound ids are absent', async () => {
  reply = json(FIXTURE_ANSWER);
  seen.length = 0;
  const ids = [1399, 1396, 87108, 4194304];
  assert.equal(rtIdsQuery(ids), FIXTURE_QUERY);
  const found = await client().rtIdsForTmdbIds(ids);
  assert.equal(seen.length, 1);
  const [req] = seen;
  assert.equal(req.method, 'GET');
  assert.equal(req.url.pathname, '/sparql');
  assert.equal(req.url.searchParams.get('query'), FIXTURE_QUERY);
  assert.equal(req.url.searchParams.get('format'), 'json');
  assert.equal(req.headers.accept, 'application/sparql-results+json');
  assert.equal(req.headers['user-agent'], AGENT);
  assert.deepEqual(
    found,
    new Map([
      [1399, ['tv/game_of_thrones']],
      [1396, ['tv/breaking_bad']],
      [87108, ['m/chernobyl', 'tv/chernobyl']],
    ]),
  );
  assert.equal(found.has(4194304), false);
});

test('with IMDb ids the chunk is one UNION query (P4983 and P345); each row lands under the key its half asked by', async () => {
  reply = json(fixture('rtIdsUnion.response.json'));
  seen.length = 0;
  const query = fixture('rtIdsUnion.query.sparql').trim();
  const keys = { tmdbIds: [1399, 4194304], imdbIds: ['tt0903747', 'tt0944947', 'tt9999999'] };
  assert.equal(rtIdsQuery(keys.tmdbIds, keys.imdbIds), query);
  const found = await client().rtIdsFor(keys);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url.searchParams.get('query'), query);
  assert.deepEqual(found.byTmdb, new Map([[1399, ['tv/game_of_thrones']]]));
  assert.deepEqual(found.byImdb, new Map([['tt0903747', ['tv/breaking_bad']], ['tt0944947', ['tv/game_of_thrones']]]));
  // IMDb ids alone: only the P345 half; a malformed IMDb id is refused before anything is sent.
  assert.equal(rtIdsQuery([], ['tt0903747']), 'SELECT ?imdb ?rt WHERE { VALUES ?imdb { "tt0903747" } ?item wdt:P345 ?imdb ; wdt:P1258 ?rt . }');
  const bad = await failure(client().rtIdsFor({ tmdbIds: [1399], imdbIds: ['tt1" } } #'] }));
  assert.ok(bad instanceof PermanentServiceError && bad.type === 'WikidataBadInput');
  assert.equal(seen.length, 1);
});

test('ids are validated before anything is sent; repeats are asked once; an empty list sends nothing', async () => {
  reply = json(FIXTURE_ANSWER);
  seen.length = 0;
  for (const bad of [0, -3, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '1399" } } #' as unknown as number]) {
    const error = await failure(client().rtIdsForTmdbIds([1399, bad]));
    assert.ok(error instanceof PermanentServiceError, String(bad));
    assert.equal(error.type, 'WikidataBadInput');
  }
  assert.equal((await client().rtIdsForTmdbIds([])).size, 0);
  assert.equal(seen.length, 0);
  await client().rtIdsForTmdbIds([1399, 1399, 1396]);
  assert.equal(seen[0].url.searchParams.get('query'), rtIdsQuery([1399, 1396]));
});

test('a chunk too long for a URL goes as a form-encoded POST; bindings for ids not asked for are ignored', async () => {
  reply = json(FIXTURE_ANSWER);
  seen.length = 0;
  const ids = [1399, ...Array.from({ length: 299 }, (_, i) => 500_000 + i)];
  assert.ok(new URLSearchParams({ query: rtIdsQuery(ids), format: 'json' }).toString().length > MAX_GET_QUERY_CHARS);
  const found = await client().rtIdsForTmdbIds(ids);
  const [req] = seen;
  assert.equal(req.method, 'POST');
  assert.match(String(req.headers['content-type']), /^application\/x-www-form-urlencoded/);
  const form = new URLSearchParams(req.body);
  assert.equal(form.get('query'), rtIdsQuery(ids));
  assert.equal(form.get('format'), 'json');
  assert.equal(req.headers.accept, 'application/sparql-results+json');
  assert.deepEqual(found, new Map([[1399, ['tv/game_of_thrones']]]));
});

test('429 and 5xx are transient with Retry-After; 403 and 400 are permanent with a readable reason', async () => {
  reply = json('Too Many Requests', 429, { 'retry-after': '7' });
  const limited = await failure(client().rtIdsForTmdbIds([1399]));
  assert.ok(limited instanceof TransientServiceError);
  assert.equal(limited.retryAfterMs, 7000);
  assert.match(limited.message, /HTTP 429/);

  reply = json('<html>upstream down</html>', 503);
  const down = await failure(client().rtIdsForTmdbIds([1399]));
  assert.ok(down instanceof TransientServiceError);
  assert.equal(down.retryAfterMs, undefined);

  reply = json('Please set a user-agent and respect our robot policy', 403);
  const forbidden = await failure(client().rtIdsForTmdbIds([1399]));
  assert.ok(forbidden instanceof PermanentServiceError);
  assert.equal(forbidden.type, 'WikidataForbidden');
  assert.match(forbidden.message, /User-Agent/);
  assert.match(forbidden.message, /WIKIDATA_USER_AGENT/);

  reply = json('MalformedQueryException: Encountered " "}" at line 1', 400);
  const bad = await failure(client().rtIdsForTmdbIds([1399]));
  assert.ok(bad instanceof PermanentServiceError);
  assert.equal(bad.type, 'WikidataBadQuery');
  assert.match(bad.message, /MalformedQueryException/);
});

test('a body that does not fit is transient and carries a short sample', async () => {
  const cases: [string, RegExp][] = [
    ['<!DOCTYPE html><html><body>Wikimedia Error</body></html>', /not JSON: <!DOCTYPE html>/],
    [FIXTURE_ANSWER.slice(0, Math.floor(FIXTURE_ANSWER.length / 2)), /not JSON: \{ "head" : \{/],
    ['{"head":{"vars":["tmdb","rt"]},"boolean":true}', /results.*"boolean":true/],
    ['{"results":{"bindings":[{"tmdb":{"type":"literal","value":"1399"},"rt":{"type":"uri","value":"http://x"}}]}}', /bindings\.0\.rt\.type/],
    ['{"results":{"bindings":[{"tmdb":{"type":"literal","value":"1399"}}]}}', /bindings\.0\.rt/],
  ];
  for (const [body, pattern] of cases) {
    reply = json(body);
    const error = await failure(client().rtIdsForTmdbIds([1399]));
    assert.ok(error instanceof TransientServiceError, body);
    assert.equal(error.type, 'WikidataBadResponse');
    assert.match(error.message, pattern);
    assert.ok(error.message.length < 400, 'the sample stays short');
  }
  reply = json(`{"results":{"bindings":[]},"padding":"${'x'.repeat(5000)}"}`.replace('[]', '[1]'));
  const long = await failure(client().rtIdsForTmdbIds([1399]));
  assert.ok(long instanceof TransientServiceError);
  assert.ok(long.message.length < 400);
});

test('20 concurrent calls never put more than 5 queries in flight', async () => {
  reply = async (_s, res) => {
    await new Promise((r) => setTimeout(r, 40));
    json(FIXTURE_ANSWER)(_s, res);
  };
  maxInFlight = 0;
  const c = client();
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.rtIdsForTmdbIds([1399, 10_000 + i])));
  assert.equal(maxInFlight, 5);
  assert.ok(results.every((m) => m.get(1399)?.[0] === 'tv/game_of_thrones'));
  // Each client has its own cap.
  maxInFlight = 0;
  await Promise.all(Array.from({ length: 6 }, () => client(2).rtIdsForTmdbIds([1399])));
  assert.equal(maxInFlight, 6);
});

test('a call aborted while it waits for a slot leaves the queue', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  reply = async (_s, res) => {
    await gate;
    json(FIXTURE_ANSWER)(_s, res);
  };
  seen.length = 0;
  const c = client(1);
  const first = c.rtIdsForTmdbIds([1399]);
  const abort = new AbortController();
  const waiting = failure(c.rtIdsForTmdbIds([1396], abort.signal));
  const third = c.rtIdsForTmdbIds([87108]);
  abort.abort(new Error('cancelled'));
  assert.match(String((await waiting as Error).message), /cancelled/);
  release();
  await Promise.all([first, third]);
  assert.deepEqual(seen.map((s) => s.url.searchParams.get('query')), [rtIdsQuery([1399]), rtIdsQuery([87108])]);
});

test('against the stand-in: answers follow rtFactsFor, 20 concurrent calls pass its parallel cap, generic agents and throttling are classified', async () => {
  const catalog = buildCatalog();
  const standin: ListeningStandin = await listenStandin(createWikidataStandin({ catalog, limits: { latencyMs: 30, jitterMs: 0, rps: 1000, burst: 1000 } }));
  try {
    const onBoth = catalog.shows.filter((s) => s.onTmdb && s.rt);
    const kind = (k: string, n: number) => onBoth.find((s) => rtFactsFor(s)!.wikidata.kind === k && ('rtIds' in rtFactsFor(s)!.wikidata ? (rtFactsFor(s)!.wikidata as { rtIds: string[] }).rtIds.length === n : true))!;
    const current = kind('current', 1);
    const pair = kind('current', 2);
    const stale = kind('stale', 1);
    const unmapped = kind('unmapped', 0);
    const notOnRt = catalog.shows.find((s) => s.onTmdb && !s.rt)!;
    const c = createWikidataClient({ url: standin.url, userAgent: AGENT, timeoutMs: 3000 });
    const found = await c.rtIdsForTmdbIds([current.id, pair.id, stale.id, unmapped.id, notOnRt.id]);
    assert.deepEqual(found, new Map([
      [current.id, [`tv/${rtFactsFor(current)!.slug}`]],
      [pair.id, [`m/${pair.rt!.slug}`, `tv/${rtFactsFor(pair)!.slug}`]],
      [stale.id, [`tv/${stale.rt!.slug}_old`]],
    ]));

    standin.gate.resetStats();
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => c.rtIdsForTmdbIds([onBoth[i].id, current.id])));
    assert.ok(all.every((m) => m.has(current.id)));
    const stats = standin.gate.stats();
    assert.equal(stats.rateLimited, 0, 'the client never sends a sixth parallel query');
    assert.equal(stats.requests, 20);
    assert.ok(stats.maxInFlight <= 5 && stats.maxInFlight >= 2, `max in flight ${stats.maxInFlight}`);

    const generic = createWikidataClient({ url: standin.url, userAgent: 'got (https://github.com/sindresorhus/got)', timeoutMs: 3000 });
    const forbidden = await failure(generic.rtIdsForTmdbIds([current.id]));
    assert.ok(forbidden instanceof PermanentServiceError);
    assert.equal(forbidden.type, 'WikidataForbidden');

    standin.gate.setLimits({ rps: 1, burst: 1 });
    await c.rtIdsForTmdbIds([current.id]).catch(() => undefined);
    const throttled = await failure(c.rtIdsForTmdbIds([current.id]));
    assert.ok(throttled instanceof TransientServiceError);
    assert.ok((throttled.retryAfterMs ?? 0) >= 1000);
  } finally {
    await standin.close();
  }
});

test('config: WIKIDATA_RPS and a policy-conforming agent by default; the real endpoint only beside the real RT', () => {
  const config = loadConfig({});
  assert.equal(config.rates.wikidata, 5);
  assert.equal(config.services.wikidataUrl, undefined);
  assert.equal(userAgentProblem(config.services.wikidataUserAgent), null);
  assert.equal(loadConfig({ WIKIDATA_URL: 'http://127.0.0.1:9/sparql', WIKIDATA_RPS: '2' }).rates.wikidata, 2);
  assert.throws(() => loadConfig({ WIKIDATA_URL: 'not a url' }), /WIKIDATA_URL/);

  assert.equal(wikidataUrlFor('https://www.rottentomatoes.com'), WIKIDATA_REAL_URL);
  assert.equal(wikidataUrlFor('http://127.0.0.1:4000'), undefined);
  assert.equal(wikidataUrlFor('http://127.0.0.1:4000', { standin: 'http://127.0.0.1:5000/sparql', rtStandin: 'http://127.0.0.1:4000' }), 'http://127.0.0.1:5000/sparql');
  assert.equal(wikidataUrlFor('https://www.rottentomatoes.com', { configured: 'http://mirror/sparql', standin: 'http://s/sparql', rtStandin: 'http://r' }), 'http://mirror/sparql');
});
