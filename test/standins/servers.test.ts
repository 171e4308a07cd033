import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';
import { publicKeyHexFromPrivate, signRequestBody } from '../../src/clients/gandalf/signature.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../standins/demoKeys.js';
import { startStandins, type RunningStandins } from '../../standins/index.js';
import { createOpenAiStandin } from '../../standins/openai.js';
import { listenStandin, type ListeningStandin } from '../../standins/http.js';
import { historyFor } from '../../standins/histories.js';
import type { CatalogShow } from '../../standins/catalog.js';
import { slugify } from '../../standins/text.js';
import { rtFactsFor } from '../../standins/rtFacts.js';
import { parseRtShowPage } from '../../src/domain/rtPage.js';

const TMDB_KEY = 'test-tmdb-key';
const OPENAI_KEY = 'test-openai-key';
const fast = { latencyMs: 0, jitterMs: 0, rps: 1000, burst: 1000 };

const GET_ACTIVITY = `query getActivity($dataKey: String!, $source: Source!, $limit: Int64!, $page: Int64!) {
  getActivity(dataKey: $dataKey, source: $source, limit: $limit, page: $page) {
    data { id metadata { ... on NetflixActivityMetadata { title date subject { value identifierType } } } }
    limit total page
  }
}`;

interface GqlBody {
  data?: { getActivity: { data: { id: string; metadata: { __typename: string; title: string; date: string; subject: { value: string; identifierType: string }[] } }[]; limit: number; total: number; page: number } | null } | null;
  errors?: { message: string; extensions: { code: string } }[];
}

let s: RunningStandins;

async function gandalf(variables: Record<string, unknown>, opts: { key?: string; sign?: boolean; raw?: string; query?: string } = {}): Promise<{ status: number; body: GqlBody; headers: Headers }> {
  const body = opts.raw ?? JSON.stringify({ query: opts.query ?? GET_ACTIVITY, variables, operationName: 'getActivity' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.sign !== false) headers['x-gandalf-signature'] = signRequestBody(body, opts.key ?? DEMO_GANDALF_PRIVATE_KEY);
  const res = await fetch(s.urls.gandalf, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: GqlBody = {};
  try {
    parsed = JSON.parse(text) as GqlBody;
  } catch {
    // non-JSON (502 text)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const tmdb = (path: string, init?: RequestInit) => fetch(`${s.urls.tmdb}${path}`, init);
const withKey = (path: string) => `${path}${path.includes('?') ? '&' : '?'}api_key=${TMDB_KEY}`;

before(async () => {
  s = await startStandins({
    gandalfPublicKeyHex: publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY),
    tmdbApiKey: TMDB_KEY,
    openaiApiKey: OPENAI_KEY,
    limits: { gandalf: fast, tmdb: fast, rt: fast, openai: fast },
  });
});

after(async () => {
  await s.close();
});

describe('urls', () => {
  test('shape of the base URLs', () => {
    assert.match(s.urls.gandalf, /^http:\/\/127\.0\.0\.1:\d+\/public\/gql$/);
    assert.match(s.urls.tmdb, /^http:\/\/127\.0\.0\.1:\d+\/3$/);
    assert.match(s.urls.rt, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(s.urls.openai, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });
});

describe('gandalf', () => {
  test('pages through demo-1k: sizes, total, order, same as historyFor', async () => {
    const all: string[] = [];
    for (let page = 1; page <= 5; page++) {
      const { status, body } = await gandalf({ dataKey: 'demo-1k', source: 'NETFLIX', limit: 300, page });
      assert.equal(status, 200);
      assert.equal(body.errors, undefined);
      const r = body.data!.getActivity!;
      assert.equal(r.total, 1000);
      assert.equal(r.limit, 300);
      assert.equal(r.page, page);
      assert.equal(r.data.length, [300, 300, 300, 100, 0][page - 1]);
      for (const a of r.data) {
        assert.equal(a.metadata.__typename, 'NetflixActivityMetadata');
        assert.ok(Array.isArray(a.metadata.subject));
        for (const sub of a.metadata.subject) assert.ok(sub.identifierType === 'IMDB' || sub.identifierType === 'TVDB');
        all.push(a.metadata.title);
      }
    }
    assert.deepEqual(all, historyFor('demo-1k', s.catalog)!.map((a) => a.title));
  });

  test('int64 as strings and inline literal arguments work', async () => {
    const { body } = await gandalf({ dataKey: 'demo-small', limit: '50', page: '2' }, {
      query: 'query getActivity($dataKey: String!, $limit: Int64!, $page: Int64!) { getActivity(dataKey: $dataKey, source: NETFLIX, limit: $limit, page: $page) { data { id } total } }',
    });
    assert.equal(body.data!.getActivity!.data.length, 50);
    assert.equal(body.data!.getActivity!.total, 300);
    const some = await gandalf({}, { query: '{ getActivity(dataKey: "demo-small", source: NETFLIX, limit: 7, page: 1) { total } }' });
    assert.equal(some.body.data!.getActivity!.data.length, 7);
    const aliased = await gandalf({}, { query: '{ history: getActivity(dataKey: "demo-small", source: NETFLIX, limit: 3, page: 1) { total } }' });
    assert.equal((aliased.body.data as unknown as { history: { total: number } }).history.total, 300);
  });

  test('errors: unknown key, bad or missing signature, limit > 300, bad source, malformed JSON', async () => {
    const code = (b: GqlBody) => b.errors?.[0]?.extensions.code;
    const unknown = await gandalf({ dataKey: 'no-such-key', source: 'NETFLIX', limit: 10, page: 1 });
    assert.equal(unknown.status, 200);
    assert.equal(code(unknown.body), 'RECORD_NOT_FOUND');

    const badSig = await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 10, page: 1 }, { key: '11'.repeat(32) });
    assert.equal(badSig.status, 200);
    assert.equal(code(badSig.body), 'INVALID_SIGNATURE');
    const unsigned = await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 10, page: 1 }, { sign: false });
    assert.equal(code(unsigned.body), 'INVALID_SIGNATURE');

    const big = await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 301, page: 1 });
    assert.equal(code(big.body), 'BAD_USER_INPUT');
    assert.match(big.body.errors![0].message, /limit must be ≤ 300/);
    assert.equal(code((await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 10, page: 0 })).body), 'BAD_USER_INPUT');

    const amazon = await gandalf({ dataKey: 'demo-small', source: 'AMAZON', limit: 10, page: 1 });
    assert.deepEqual(amazon.body.data!.getActivity!.data, []);
    const bogus = await gandalf({ dataKey: 'demo-small', source: 'HULU', limit: 10, page: 1 });
    assert.equal(code(bogus.body), 'GRAPHQL_VALIDATION_FAILED');

    const malformed = await gandalf({}, { raw: '{"query": ' });
    assert.equal(malformed.status, 400);
  });
});

describe('tmdb', () => {
  const pickShow = (pred: (x: CatalogShow) => boolean) => s.catalog.shows.find(pred)!;

  test('401 without or with a wrong key; bearer works', async () => {
    for (const res of [await tmdb('/search/tv?query=x'), await tmdb('/search/tv?query=x&api_key=wrong')]) {
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false });
    }
    const bearer = await tmdb('/search/tv?query=x', { headers: { authorization: `Bearer ${TMDB_KEY}` } });
    assert.equal(bearer.status, 200);
  });

  test('search finds a show by its Netflix name (region tag, accents, punctuation ignored)', async () => {
    const show = pickShow((x) => x.onTmdb && x.decoyOf === undefined && x.netflixName !== x.name);
    const res = await tmdb(withKey(`/search/tv?query=${encodeURIComponent(show.netflixName)}&include_adult=false&language=en-US&page=1`));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { page: number; total_pages: number; total_results: number; results: Record<string, unknown>[] };
    assert.equal(body.page, 1);
    assert.ok(body.results.length >= 1 && body.results.length <= 20);
    const hit = body.results.find((r) => r.id === show.id)!;
    assert.ok(hit, 'show found');
    for (const k of ['id', 'name', 'original_name', 'first_air_date', 'popularity', 'genre_ids', 'poster_path', 'overview', 'origin_country']) assert.ok(k in hit, k);
    assert.equal(hit.name, show.name);
  });

  test('decoy pairs both come back; shows off TMDB never do', async () => {
    const decoy = pickShow((x) => x.decoyOf !== undefined);
    const body = (await (await tmdb(withKey(`/search/tv?query=${encodeURIComponent(decoy.name)}`))).json()) as { results: { id: number }[] };
    const ids = body.results.map((r) => r.id);
    assert.ok(ids.includes(decoy.id) && ids.includes(decoy.decoyOf!));
    const missing = pickShow((x) => !x.onTmdb);
    const none = (await (await tmdb(withKey(`/search/tv?query=${encodeURIComponent(missing.name)}`))).json()) as { results: { id: number }[] };
    assert.ok(!none.results.some((r) => r.id === missing.id));
    assert.equal((await tmdb(withKey(`/tv/${missing.id}`))).status, 404);
  });

  test('details with aggregate_credits; 404 for unknown ids', async () => {
    const show = pickShow((x) => x.onTmdb);
    const res = await tmdb(withKey(`/tv/${show.id}?language=en-US&append_to_response=aggregate_credits`));
    assert.equal(res.status, 200);
    const d = (await res.json()) as {
      id: number; name: string; genres: { id: number; name: string }[]; number_of_episodes: number; number_of_seasons: number;
      poster_path: string; first_air_date: string; overview: string;
      aggregate_credits: { cast: { id: number; name: string; popularity: number; profile_path: string; total_episode_count: number; roles: { character: string; episode_count: number }[] }[] };
    };
    assert.equal(d.id, show.id);
    assert.deepEqual(d.genres, show.genres);
    assert.equal(d.number_of_episodes, show.numberOfEpisodes);
    assert.equal(d.number_of_seasons, show.numberOfSeasons);
    assert.equal(d.aggregate_credits.cast.length, show.cast.length);
    const lead = d.aggregate_credits.cast[0];
    assert.equal(lead.name, s.catalog.actorById.get(show.cast[0].actorId)!.name);
    assert.equal(lead.roles[0].character, show.cast[0].character);
    assert.equal(lead.total_episode_count, show.cast[0].episodeCount);
    const unknown = await tmdb(withKey('/tv/999999999'));
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { status_code: number }).status_code, 34);
    const plain = (await (await tmdb(withKey(`/tv/${show.id}`))).json()) as Record<string, unknown>;
    assert.equal(plain.aggregate_credits, undefined);
  });
});

describe('rotten tomatoes', () => {
  // The structure itself is checked against fixtures in rtContract.test.ts; these are the basics.
  const rtGet = (path: string) => fetch(`${s.urls.rt}${path}`, { headers: { 'user-agent': 'showprint-test/1.0' } });

  test('robots.txt disallows /search for every crawler', async () => {
    const text = await (await rtGet('/robots.txt')).text();
    assert.match(text, /^User-agent: \*$/m);
    assert.match(text, /^Disallow: \/search$/m);
    assert.match(text, /^Disallow: \/tv\/\*\/pictures$/m);
  });

  test('show pages carry the catalog scores; unscored sides are blank or --; unknown slugs 404', async () => {
    const show = s.catalog.shows.find((x) => x.rt && x.rt.criticsScore !== null && x.rt.audienceScore !== null && x.decoyOf === undefined)!;
    const page = parseRtShowPage(await (await rtGet(`/tv/${rtFactsFor(show)!.slug}`)).text());
    assert.deepEqual([page.name, page.criticsScore, page.audienceScore], [show.name, show.rt!.criticsScore, show.rt!.audienceScore]);
    const noCritics = s.catalog.shows.find((x) => x.rt && x.rt.criticsScore === null)!;
    const $ = cheerio.load(await (await rtGet(`/tv/${rtFactsFor(noCritics)!.slug}`)).text());
    assert.match($('media-scorecard rt-text[slot="criticsScore"], media-scorecard rt-text[slot="critics-score"]').text().trim(), /^(|--)$/);
    assert.equal((await rtGet('/tv/definitely_not_a_show')).status, 404);
    const offRt = s.catalog.shows.find((x) => x.rt === null && !s.catalog.shows.some((y) => y !== x && y.name === x.name))!;
    assert.equal((await rtGet(`/tv/${slugify(offRt.name)}`)).status, 404);
  });

  test('search rows (forbidden, never used) list TV shows with an empty cast; requested paths are recorded', async () => {
    const show = s.catalog.shows.find((x) => x.rt && x.decoyOf === undefined)!;
    const $ = cheerio.load(await (await rtGet(`/search?search=${encodeURIComponent(show.name)}`)).text());
    const rows = $('search-page-result[type="tvSeries"] search-page-media-row').toArray();
    assert.ok(rows.length >= 1);
    for (const el of rows) assert.equal($(el).attr('cast'), '');
    assert.ok(s.rtRequestedPaths().includes('/search'));
  });
});

describe('openai', () => {
  const schema = {
    type: 'object',
    properties: {
      sign: { type: 'string', enum: ['Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo', 'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces'] },
      quip: { type: 'string', maxLength: 140 },
      traits: { type: 'array', items: { type: 'string', maxLength: 30 }, minItems: 2, maxItems: 3 },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
    },
    required: ['sign', 'quip', 'traits', 'confidence'],
    additionalProperties: false,
  };
  type Args = { sign: string; quip: string; traits: string[]; confidence: number };
  const valid = (a: Args): boolean =>
    schema.properties.sign.enum.includes(a.sign) && typeof a.quip === 'string' && a.quip.length > 0 && a.quip.length <= 140 &&
    Array.isArray(a.traits) && a.traits.length >= 2 && a.traits.length <= 3 && a.traits.every((t) => t.length <= 30) &&
    typeof a.confidence === 'number' && a.confidence >= 0 && a.confidence <= 1;
  const ask = (base: string, user: string, key = OPENAI_KEY) =>
    fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'gpt-test',
        messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: user }],
        tools: [{ type: 'function', function: { name: 'star_sign', description: 'pick a sign', parameters: schema } }],
        tool_choice: { type: 'function', function: { name: 'star_sign' } },
      }),
    });
  const argsOf = async (res: Response): Promise<string> => {
    const body = (await res.json()) as { object: string; choices: { message: { tool_calls: { type: string; function: { name: string; arguments: string } }[] } }[]; usage: { total_tokens: number } };
    assert.equal(body.object, 'chat.completion');
    assert.ok(body.usage.total_tokens > 0);
    const call = body.choices[0].message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'star_sign');
    return call.function.arguments;
  };

  test('401 without the bearer key', async () => {
    const res = await ask(s.urls.openai, 'hi', 'wrong');
    assert.equal(res.status, 401);
    assert.ok(((await res.json()) as { error: { message: string } }).error.message);
  });

  test('tool-call arguments satisfy the schema; deterministic per user message', async () => {
    const signs = new Set<string>();
    for (const user of ['Viewer loves crime dramas', 'Viewer loves baking shows', 'Viewer loves anime', 'Viewer loves westerns', 'Viewer loves news']) {
      const a = JSON.parse(await argsOf(await ask(s.urls.openai, user))) as Args;
      assert.ok(valid(a), JSON.stringify(a));
      signs.add(a.sign);
    }
    assert.ok(signs.size >= 2, 'enum choice depends on the message');
    const x = JSON.parse(await argsOf(await ask(s.urls.openai, 'same message'))) as Args;
    const y = JSON.parse(await argsOf(await ask(s.urls.openai, 'same message'))) as Args;
    assert.deepEqual(x, y);
  });

  test('invalidRate 1 breaks the schema (bad enum or not JSON)', async () => {
    const broken: ListeningStandin = await listenStandin(createOpenAiStandin({ apiKey: OPENAI_KEY, limits: fast, invalidRate: 1 }));
    try {
      for (let i = 0; i < 6; i++) {
        const raw = await argsOf(await ask(broken.url, `message ${i}`));
        let ok = false;
        try {
          ok = valid(JSON.parse(raw) as Args);
        } catch {
          ok = false;
        }
        assert.equal(ok, false, raw);
      }
    } finally {
      await broken.close();
    }
  });
});

describe('limits', () => {
  test('rate limit → 429 with an integer Retry-After; stats count it', async () => {
    s.resetStats();
    s.setLimits('tmdb', { rps: 2, burst: 2 });
    try {
      const res = await Promise.all(Array.from({ length: 6 }, () => tmdb(withKey('/search/tv?query=harbor'))));
      const limited = res.filter((r) => r.status === 429);
      assert.ok(limited.length >= 3, `429s: ${limited.length}`);
      for (const r of limited) assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      const st = s.stats().tmdb;
      assert.equal(st.requests, 6);
      assert.equal(st.rateLimited, limited.length);
      assert.equal(st.requestStarts.length, 6);
      assert.equal(st.admittedStarts.length, 6 - limited.length);
    } finally {
      s.setLimits('tmdb', fast);
    }
    assert.equal((await tmdb(withKey('/search/tv?query=harbor'))).status, 200);
  });

  test('rate limit buckets are per client (RT: per user agent)', async () => {
    s.setLimits('rt', { rps: 1, burst: 1 });
    try {
      const get = (ua: string) => fetch(`${s.urls.rt}/robots.txt`, { headers: { 'user-agent': ua } });
      assert.equal((await get('bot-a')).status, 200);
      const second = await get('bot-a');
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '1');
      assert.equal((await get('bot-b')).status, 200);
    } finally {
      s.setLimits('rt', fast);
    }
  });

  test("a CDN's refusals: 429 or 503, with or without Retry-After, bodies in text/plain, JSON, HTML or none", async () => {
    const get = (ua: string) => fetch(`${s.urls.rt}/robots.txt`, { headers: { 'user-agent': ua } });
    const shapes = [
      { refusal: { body: 'text', retryAfter: false }, status: 429, type: /^text\/plain/, retryAfter: null },
      { refusal: { body: 'json' }, status: 429, type: /^application\/json/, retryAfter: '1' },
      { refusal: { body: 'html', status: 503 }, status: 503, type: /^text\/html/, retryAfter: '1' },
      { refusal: { body: 'empty', retryAfter: false }, status: 429, type: null, retryAfter: null },
    ] as const;
    try {
      for (const [i, shape] of shapes.entries()) {
        s.setLimits('rt', { rps: 1, burst: 1, refusal: shape.refusal });
        assert.equal((await get(`cdn-${i}`)).status, 200);
        const refused = await get(`cdn-${i}`);
        assert.equal(refused.status, shape.status, JSON.stringify(shape.refusal));
        assert.equal(refused.headers.get('retry-after'), shape.retryAfter, JSON.stringify(shape.refusal));
        const type = refused.headers.get('content-type');
        if (shape.type) assert.match(type ?? '', shape.type);
        else assert.equal(await refused.text(), '');
      }
    } finally {
      s.setLimits('rt', { ...fast, refusal: undefined });
    }
  });

  test('an outage: from its n-th request on, only 503s for its duration, then answers again; stats count them apart', async () => {
    s.resetStats();
    s.setLimits('tmdb', { outage: { afterRequests: 2, durationMs: 300 } });
    try {
      assert.equal((await tmdb(withKey('/search/tv?query=harbor'))).status, 200);
      const down = await tmdb(withKey('/search/tv?query=harbor'));
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as { status_message: string }).status_message, /offline/i, "TMDB's own 503 body");
      assert.equal((await tmdb(withKey('/search/tv?query=harbor'))).status, 503);
      await new Promise((r) => setTimeout(r, 350));
      assert.equal((await tmdb(withKey('/search/tv?query=harbor'))).status, 200);
      assert.equal(s.stats().tmdb.unavailable, 2);
      assert.equal(s.stats().tmdb.rateLimited, 0);
    } finally {
      s.setLimits('tmdb', { ...fast, outage: undefined });
    }
  });

  test('faultRate 1 → 5xx failures, never a 503 (that means "slow down"; Gandalf: 502 or INTERNAL_SERVER_ERROR), and back off again', async () => {
    s.resetStats();
    s.setLimits('tmdb', { faultRate: 1 });
    s.setLimits('gandalf', { faultRate: 1 });
    try {
      const t = await tmdb(withKey('/tv/1'));
      assert.equal(t.status, 500, 'TMDB renders its faults as its own 500');
      const kinds = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const g = await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 1, page: 1 });
        if (g.status === 502) kinds.add('502');
        else if (g.status === 200 && g.body.errors?.[0]?.extensions.code === 'INTERNAL_SERVER_ERROR') kinds.add('ise');
        else assert.fail(`unexpected ${g.status}`);
      }
      assert.deepEqual([...kinds].sort(), ['502', 'ise']);
      assert.equal(s.stats().gandalf.faults, 12);
    } finally {
      s.setLimits('tmdb', { faultRate: 0 });
      s.setLimits('gandalf', { faultRate: 0 });
    }
    const ok = await gandalf({ dataKey: 'demo-small', source: 'NETFLIX', limit: 1, page: 1 });
    assert.equal(ok.body.data!.getActivity!.data.length, 1);
  });

  test('latency is applied', async () => {
    s.setLimits('rt', { latencyMs: 120 });
    try {
      const t0 = performance.now();
      await fetch(`${s.urls.rt}/robots.txt`);
      assert.ok(performance.now() - t0 >= 110);
    } finally {
      s.setLimits('rt', fast);
    }
  });
});
