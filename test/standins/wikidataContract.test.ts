// The Wikidata stand-in speaks the real protocol: its answers have the hand-written fixture's structure
// (SPARQL JSON, or the XML results format by default), it refuses other query shapes (which it does not
// run), generic agents (its simplification of Wikimedia's User-Agent policy) and a sixth parallel query,
// and over the default catalog its coverage is DESIGN §2's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { load } from 'cheerio';
import { buildCatalog, imdbIdFor, type Catalog } from '../../standins/catalog.js';
import { type ListeningStandin, listenStandin } from '../../standins/http.js';
import { rtFactsFor } from '../../standins/rtFacts.js';
import { createWikidataStandin } from '../../standins/wikidata.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/wikidata/${name}`, import.meta.url), 'utf8');
const QUERY = fixture('rtIds.query.sparql').trim();
const ANSWER = JSON.parse(fixture('rtIds.response.json')) as SparqlJson;
const AGENT = 'showprint-contract-test/1.0 (https://github.com/showprint) node/20';
const HEADERS = { accept: 'application/sparql-results+json', 'user-agent': AGENT };

interface SparqlJson { head: { vars: string[] }; results: { bindings: Record<string, { type: string; value: string }>[] } }

let catalog: Catalog;
let standin: ListeningStandin;
before(async () => {
  catalog = buildCatalog();
  standin = await listenStandin(createWikidataStandin({ catalog, limits: { latencyMs: 0, jitterMs: 0, rps: 10_000, burst: 10_000 } }));
});
after(() => standin.close());

const withIds = (ids: number[]) => QUERY.replace(/VALUES \?tmdb \{[^}]*\}/, `VALUES ?tmdb { ${ids.map((id) => `"${id}"`).join(' ')} }`);
const get = (query: string, headers: Record<string, string> = HEADERS) =>
  fetch(`${standin.url}?${new URLSearchParams({ query, format: 'json' })}`, { headers });
const post = (query: string) =>
  fetch(standin.url, { method: 'POST', headers: { ...HEADERS, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query, format: 'json' }) });

/** The structure of a SPARQL JSON answer: its keys, vars, and each binding's variables and term shapes. */
function shape(doc: SparqlJson) {
  return {
    top: Object.keys(doc).sort(),
    head: Object.keys(doc.head).sort(),
    vars: doc.head.vars,
    results: Object.keys(doc.results).sort(),
    bindings: [...new Set(doc.results.bindings.map((b) => JSON.stringify(Object.entries(b).sort(([a], [c]) => a.localeCompare(c)).map(([k, t]) => [k, Object.keys(t).sort(), t.type, typeof t.value]))))],
  };
}

test("the stand-in's answer to the fixture's query has the fixture's structure", async () => {
  const verbatim = await get(QUERY);
  assert.equal(verbatim.status, 200);
  assert.match(verbatim.headers.get('content-type') ?? '', /^application\/sparql-results\+json/);
  const direct = (await verbatim.json()) as SparqlJson;
  assert.deepEqual(direct.head, ANSWER.head);
  assert.deepEqual(Object.keys(direct).sort(), Object.keys(ANSWER).sort());

  // The fixture's (real-world) ids are not in the synthetic catalog: ask the same query for catalog shows
  // of each kind, including one with both a film and a show id and one without a mapping.
  const onBoth = catalog.shows.filter((s) => s.onTmdb && s.rt);
  const of = (pred: (rtIds: string[] | null) => boolean) => onBoth.find((s) => { const w = rtFactsFor(s)!.wikidata; return pred(w.kind === 'unmapped' ? null : w.rtIds); })!;
  const pair = of((r) => r?.length === 2);
  const single = of((r) => r?.length === 1);
  const unmapped = of((r) => r === null);
  const res = await get(withIds([single.id, pair.id, unmapped.id]));
  assert.equal(res.status, 200);
  const answer = (await res.json()) as SparqlJson;
  assert.deepEqual(shape(answer), shape(ANSWER));
  assert.deepEqual(answer.results.bindings.map((b) => [b.tmdb.value, b.rt.value.split('/')[0]]), [[String(single.id), 'tv'], [String(pair.id), 'm'], [String(pair.id), 'tv']]);

  // POST form-encoded answers the same.
  assert.deepEqual(await (await post(withIds([single.id, pair.id, unmapped.id]))).json(), answer);
});

test('without format=json or a JSON Accept header it answers SPARQL XML results (the real default) for the same bindings', async () => {
  const onBoth = catalog.shows.filter((s) => s.onTmdb && s.rt);
  const pair = onBoth.find((s) => { const w = rtFactsFor(s)!.wikidata; return w.kind !== 'unmapped' && w.rtIds.length === 2; })!;
  const single = onBoth.find((s) => { const w = rtFactsFor(s)!.wikidata; return w.kind !== 'unmapped' && w.rtIds.length === 1; })!;
  const query = withIds([single.id, pair.id]);
  const json = (await (await get(query)).json()) as SparqlJson;
  assert.equal(json.results.bindings.length, 3);

  const asXml = [
    fetch(`${standin.url}?${new URLSearchParams({ query })}`, { headers: { 'user-agent': AGENT } }), // fetch sends Accept: */*
    fetch(`${standin.url}?${new URLSearchParams({ query })}`, { headers: { accept: 'application/sparql-results+xml', 'user-agent': AGENT } }),
    fetch(standin.url, { method: 'POST', headers: { 'user-agent': AGENT, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query }) }),
  ];
  for (const res of await Promise.all(asXml)) {
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/sparql-results\+xml/);
    const body = await res.text();
    assert.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<sparql xmlns="http:\/\/www\.w3\.org\/2005\/sparql-results#">/);
    assert.match(body, /<\/sparql>\n$/);
    const $ = load(body, { xml: true });
    assert.deepEqual($('sparql > head > variable').toArray().map((el) => $(el).attr('name')), json.head.vars);
    const rows = $('sparql > results > result').toArray().map((el) =>
      Object.fromEntries($(el).children('binding').toArray().map((b) => [$(b).attr('name'), { type: $(b).children()[0].tagName, value: $(b).children().first().text() }])),
    );
    assert.deepEqual(rows, json.results.bindings);
  }
  // No bindings: an empty results element.
  const none = await (await fetch(`${standin.url}?${new URLSearchParams({ query: withIds([4_999_999_999]) })}`, { headers: { 'user-agent': AGENT } })).text();
  assert.match(none, /<results><\/results>/);
});

test('it refuses other query shapes (400: it runs no SPARQL), generic agents (403) and a sixth parallel query (429)', async () => {
  for (const bad of ['SELECT * WHERE { ?s ?p ?o }', QUERY.replace('"1399"', '1399'), QUERY.replace('"1399"', '"13 99"'), withIds([1]).replace('wdt:P1258', 'wdt:P345')]) {
    const res = await get(bad);
    assert.equal(res.status, 400, bad);
    assert.match(await res.text(), /MalformedQueryException/);
  }
  assert.equal((await fetch(`${standin.url}?format=json`, { headers: HEADERS })).status, 400);

  for (const agent of ['', 'node', 'curl/8.5.0', 'got (https://github.com/sindresorhus/got)', 'python-requests/2.31', 'my-app/1.0']) {
    const res = await get(QUERY, { accept: HEADERS.accept, 'user-agent': agent });
    assert.equal(res.status, 403, `agent ${JSON.stringify(agent)}`);
    assert.match(await res.text(), /User-Agent/);
  }
  assert.equal((await get(QUERY, { accept: HEADERS.accept, 'user-agent': 'my-app/1.0 (ops@example.org)' })).status, 200);

  const slow = await listenStandin(createWikidataStandin({ catalog, limits: { latencyMs: 200, jitterMs: 0, rps: 10_000, burst: 10_000 } }));
  try {
    const url = `${slow.url}?${new URLSearchParams({ query: QUERY, format: 'json' })}`;
    const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(url, { headers: HEADERS }).then(async (r) => [r.status, r.headers.get('retry-after'), await r.text()] as const)));
    assert.deepEqual(statuses.map(([s]) => s).sort(), [200, 200, 200, 200, 200, 429]);
    assert.equal(statuses.find(([s]) => s === 429)![1], '1');
    // Another client (another agent) has its own five.
    assert.equal((await fetch(url, { headers: { ...HEADERS, 'user-agent': 'other-app/2 (https://example.org)' } })).status, 200);
    assert.equal(slow.gate.stats().rateLimited, 1);

    slow.gate.setLimits({ latencyMs: 0, rps: 1, burst: 1 });
    await fetch(url, { headers: HEADERS });
    const limited = await fetch(url, { headers: HEADERS });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  } finally {
    await slow.close();
  }
});

test('over the default catalog: about a quarter unmapped, a few stale, some film+show pairs', async () => {
  const shows = catalog.shows.filter((s) => s.onTmdb && s.rt);
  const res = await post(withIds(shows.map((s) => s.id)));
  assert.equal(res.status, 200);
  const rtIds = new Map<number, string[]>();
  for (const b of ((await res.json()) as SparqlJson).results.bindings) {
    const id = Number(b.tmdb.value);
    rtIds.set(id, [...(rtIds.get(id) ?? []), b.rt.value]);
  }
  const n = shows.length;
  const unmapped = shows.filter((s) => !rtIds.has(s.id)).length;
  const stale = shows.filter((s) => rtIds.get(s.id)?.some((r) => r.endsWith('_old'))).length;
  const pairs = shows.filter((s) => { const r = rtIds.get(s.id) ?? []; return r.some((x) => x.startsWith('m/')) && r.some((x) => x.startsWith('tv/')); }).length;
  assert.ok(unmapped / n > 0.2 && unmapped / n < 0.3, `unmapped ${unmapped}/${n}`);
  assert.ok(stale / n > 0.02 && stale / n < 0.08, `stale ${stale}/${n}`);
  assert.ok(pairs >= 1, `pairs ${pairs}`);
  // Every binding is a tv/ or m/ id, and stale ids are exactly the ones whose RT page does not exist.
  for (const [id, ids] of rtIds) {
    const show = catalog.showById.get(id)!;
    for (const r of ids) assert.match(r, /^(tv|m)\//);
    if (ids.some((r) => r.endsWith('_old'))) assert.notEqual(ids[0], `tv/${rtFactsFor(show)!.slug}`);
  }
  // Ids the catalog does not know (or shows absent from TMDB) have no binding.
  const notOnTmdb = catalog.shows.find((s) => !s.onTmdb)!;
  const none = (await (await get(withIds([notOnTmdb.id, 4_999_999_999]))).json()) as SparqlJson;
  assert.deepEqual(none.results.bindings, []);
});

test("the IMDb (P345) and UNION shapes: the stand-in's answer has the union fixture's structure, and finds some shows the TMDB id misses", async () => {
  const union = JSON.parse(fixture('rtIdsUnion.response.json')) as SparqlJson;
  const onRt = catalog.shows.filter((s) => s.onTmdb && s.rt);
  const byTmdbOnly = onRt.find((s) => rtFactsFor(s)!.wikidata.kind === 'current')!;
  const byImdbOnly = onRt.find((s) => rtFactsFor(s)!.wikidata.kind === 'unmapped' && rtFactsFor(s)!.wikidataByImdb.kind === 'current')!;
  const neither = onRt.find((s) => rtFactsFor(s)!.wikidataByImdb.kind === 'unmapped')!;
  const query = fixture('rtIdsUnion.query.sparql')
    .trim()
    .replace(/VALUES \?tmdb \{[^}]*\}/, `VALUES ?tmdb { "${byTmdbOnly.id}" "${byImdbOnly.id}" }`)
    .replace(/VALUES \?imdb \{[^}]*\}/, `VALUES ?imdb { "${imdbIdFor(byImdbOnly)}" "${imdbIdFor(neither)}" }`);
  const res = await get(query);
  assert.equal(res.status, 200);
  const answer = (await res.json()) as SparqlJson;
  assert.deepEqual(shape(answer), shape(union));
  assert.deepEqual(answer.results.bindings.map((b) => [b.tmdb?.value ?? b.imdb?.value, b.rt.value]), [
    [String(byTmdbOnly.id), `tv/${rtFactsFor(byTmdbOnly)!.slug}`],
    [imdbIdFor(byImdbOnly), `tv/${rtFactsFor(byImdbOnly)!.slug}`],
  ]);
  // By IMDb id alone.
  const imdbOnly = await get(`SELECT ?imdb ?rt WHERE { VALUES ?imdb { "${imdbIdFor(byImdbOnly)}" } ?item wdt:P345 ?imdb ; wdt:P1258 ?rt . }`);
  assert.deepEqual(((await imdbOnly.json()) as SparqlJson).head.vars, ['imdb', 'rt']);
  // Coverage: the IMDb id finds a share of the shows the TMDB id misses, and never a different page.
  const missed = onRt.filter((s) => rtFactsFor(s)!.wikidata.kind === 'unmapped');
  const found = missed.filter((s) => rtFactsFor(s)!.wikidataByImdb.kind === 'current').length / missed.length;
  assert.ok(found > 0.5 && found < 0.7, `IMDb finds ${found} of the unmapped`);
  assert.ok(onRt.every((s) => { const f = rtFactsFor(s)!; return f.wikidata.kind === 'unmapped' || f.wikidataByImdb === f.wikidata; }));
});
