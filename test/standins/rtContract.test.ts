// Contract between the RT stand-in, the hand-written fixtures of the real site's structure
// (test/fixtures/rt) and the crawler's pure functions (src/domain/rtMatch.ts): the stand-in must speak
// the structure the fixtures show, and a crawler that finds pages by slug candidates and JSON-LD (never
// /search) must find nearly every on-RT show in it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'cheerio';
import { acceptRtPage, rtSlugCandidates } from '../../src/domain/rtMatch.js';
import { parseRtShowPage, type RtShowPage } from '../../src/domain/rtPage.js';
import { buildCatalog, type CatalogShow } from '../../standins/catalog.js';
import { listenStandin, type ListeningStandin } from '../../standins/http.js';
import { createRtStandin, type RtStandin } from '../../standins/rt.js';
import { rtFactsFor, type RtMarkupEra } from '../../standins/rtFacts.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/rt/${name}`, import.meta.url), 'utf8');
const expected = JSON.parse(fixture('expected.json')) as {
  'robots.txt': { disallowed: string[]; allowed: string[] };
  'search-tv-row.html': { tvRows: Record<string, string>[] };
};

const catalog = buildCatalog();
const fast = { latencyMs: 0, jitterMs: 0, rps: 100_000, burst: 100_000 };
const UA = 'showprint-contract-test/1.0 (+https://example.invalid/showprint)';

let standin: RtStandin;
let rt: ListeningStandin;

before(async () => {
  standin = createRtStandin({ catalog, limits: fast });
  rt = await listenStandin(standin);
});
after(async () => {
  await rt?.close();
});

const get = async (path: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(`${rt.origin}${path}`, { headers: { 'user-agent': UA } });
  return { status: res.status, body: await res.text() };
};

// --- a small robots.txt reader: groups for `*`, Allow/Disallow with `*` and `$`, longest match wins.
function robotsRules(text: string, agent = '*'): { allow: boolean; pattern: string }[] {
  const rules: { allow: boolean; pattern: string }[] = [];
  let agents: string[] = [];
  let inRules = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const [key, value] = [m[1].toLowerCase(), m[2].trim()];
    if (key === 'user-agent') {
      if (inRules) agents = [];
      inRules = false;
      agents.push(value.toLowerCase());
    } else if (key === 'allow' || key === 'disallow') {
      inRules = true;
      if (agents.includes(agent) && value) rules.push({ allow: key === 'allow', pattern: value });
    }
  }
  return rules;
}

function robotsAllows(text: string, pathAndQuery: string): boolean {
  let best: { allow: boolean; length: number } | null = null;
  for (const r of robotsRules(text)) {
    const anchored = r.pattern.endsWith('$');
    const body = (anchored ? r.pattern.slice(0, -1) : r.pattern).split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    if (!new RegExp(`^${body}${anchored ? '$' : ''}`).test(pathAndQuery)) continue;
    if (!best || r.pattern.length > best.length || (r.pattern.length === best.length && r.allow)) best = { allow: r.allow, length: r.pattern.length };
  }
  return best?.allow ?? true;
}

// --- structural features shared by the fixtures and the stand-in's pages.
const SLOTS: Record<RtMarkupEra, string[]> = { '2025': ['criticsScore', 'audienceScore'], '2026': ['critics-score', 'audience-score'] };

function features(html: string) {
  const $ = load(html);
  const ld = $('script[type="application/ld+json"]').toArray().map((el) => JSON.parse($(el).text()) as Record<string, unknown>);
  const series = ld.find((o) => o['@type'] === 'TVSeries');
  const card = $('media-scorecard');
  const scoreSlot = (s: string | undefined) => s !== undefined && /^(criticsScore|audienceScore|critics-score|audience-score)$/.test(s);
  return {
    seriesKeys: series ? ['name', 'url', 'dateCreated', 'actor'].filter((k) => k in series) : [],
    actorsArePersons: Array.isArray(series?.actor) && (series.actor as { '@type': string; name: string }[]).every((a) => a['@type'] === 'Person' && typeof a.name === 'string'),
    scorecardJson: $('script#media-scorecard-json[type="application/json"]').length,
    scorecards: card.length,
    cardSlots: [...new Set(card.find('rt-text').toArray().map((el) => $(el).attr('slot')).filter(scoreSlot))].sort(),
    slotsOutsideCard: $('rt-text').toArray().filter((el) => scoreSlot($(el).attr('slot')) && $(el).closest('media-scorecard').length === 0).length,
    relatedAfterCard: html.indexOf('related-titles') > html.indexOf('</media-scorecard>'),
    endsWithHtml: /<\/html>\s*$/.test(html),
  };
}

const year = (s: CatalogShow): number => Number(s.firstAirDate.slice(0, 4));
const castNames = (s: CatalogShow): string[] => s.cast.map((m) => catalog.actorById.get(m.actorId)!.name);
const facts = (s: CatalogShow) => ({ name: s.name, originalName: s.originalName, firstAirYear: year(s), cast: castNames(s) });
const onRt = catalog.shows.filter((s) => rtFactsFor(s) !== null);
const ofEra = (era: RtMarkupEra) => onRt.filter((s) => rtFactsFor(s)!.era === era && s.rt!.criticsScore !== null && s.rt!.audienceScore !== null && s.numberOfSeasons > 1);

describe('fixtures and stand-in share the real structure', () => {
  test('show pages of both eras: same script ids and types, era slot names only in the scorecard, related titles after it', async () => {
    for (const era of ['2025', '2026'] as const) {
      const want = features(fixture(`show-${era}.html`));
      assert.deepEqual(want.cardSlots, [...SLOTS[era]].sort(), `fixture ${era} slots`);
      assert.ok(want.slotsOutsideCard > 0 && want.relatedAfterCard);
      let checked = 0;
      for (const show of ofEra(era).slice(0, 25)) {
        const { status, body } = await get(`/tv/${rtFactsFor(show)!.slug}`);
        assert.equal(status, 200);
        const got = features(body);
        if (got.scorecardJson === 0) continue; // a few pages carry no scorecard JSON (the stand-in's own test noise)
        assert.deepEqual({ ...got, slotsOutsideCard: got.slotsOutsideCard > 0 }, { ...want, slotsOutsideCard: true }, `${show.name} (${era})`);
        checked++;
      }
      assert.ok(checked >= 15, `${era}: ${checked} pages compared`);
    }
  });

  test('the unscored fixture and unscored stand-in pages: empty or "--" slots, scores only in related titles', async () => {
    const want = features(fixture('unscored-with-scored-related.html'));
    const unscored = onRt.filter((s) => s.rt!.criticsScore === null && s.rt!.audienceScore === null);
    assert.ok(unscored.length > 0);
    for (const show of unscored) {
      const { body } = await get(`/tv/${rtFactsFor(show)!.slug}`);
      const f = features(body);
      assert.equal(f.slotsOutsideCard > 0, want.slotsOutsideCard > 0, show.name);
      const $ = load(body);
      for (const slot of [...SLOTS['2025'], ...SLOTS['2026']]) {
        $(`media-scorecard rt-text[slot="${slot}"]`).each((_, el) => assert.match($(el).text().trim(), /^(|--)$/));
      }
      const p = parseRtShowPage(body);
      assert.deepEqual([p.criticsScore, p.audienceScore], [null, null], show.name);
    }
  });

  test('the era option forces one slot spelling on every page', async () => {
    const forced = await listenStandin(createRtStandin({ catalog, limits: fast, era: '2026' }));
    try {
      const show = ofEra('2025')[0];
      const body = await (await fetch(`${forced.origin}/tv/${rtFactsFor(show)!.slug}`)).text();
      assert.deepEqual(features(body).cardSlots, [...SLOTS['2026']].sort());
      assert.deepEqual([parseRtShowPage(body).criticsScore, parseRtShowPage(body).audienceScore], [show.rt!.criticsScore, show.rt!.audienceScore]);
    } finally {
      await forced.close();
    }
  });

  test('with structured scores off, pages of both eras score only in the slots, and the parser reads them there', async () => {
    const bare = createRtStandin({ catalog, limits: fast });
    bare.setStructuredScores(false);
    const served = await listenStandin(bare);
    try {
      for (const era of ['2025', '2026'] as const) {
        for (const show of ofEra(era).slice(0, 10)) {
          const body = await (await fetch(`${served.origin}/tv/${rtFactsFor(show)!.slug}`)).text();
          const f = features(body);
          assert.equal(f.scorecardJson, 0, `${show.name}: no scorecard JSON`);
          assert.deepEqual(f.cardSlots, [...SLOTS[era]].sort(), `${show.name}: ${era} slots`);
          const $ = load(body);
          const ld = $('script[type="application/ld+json"]').toArray().map((el) => JSON.parse($(el).text()) as Record<string, unknown>);
          const series = ld.find((o) => o['@type'] === 'TVSeries')!;
          assert.deepEqual(f.seriesKeys, ['name', 'url', 'dateCreated', 'actor'], `${show.name}: JSON-LD keeps what matching needs`);
          assert.equal('aggregateRating' in series, false, `${show.name}: no aggregateRating`);

          const scores = [show.rt!.criticsScore, show.rt!.audienceScore];
          const page = parseRtShowPage(body);
          // name, year and actors still come from JSON-LD (source 'json-ld'), the scores from the slots:
          assert.deepEqual([page.criticsScore, page.audienceScore, page.source], [...scores, 'json-ld'], show.name);
          // the slots are the only score source on the page ...
          const noCard = body.replace(/<media-scorecard>.*?<\/media-scorecard>/s, '');
          assert.deepEqual([parseRtShowPage(noCard).criticsScore, parseRtShowPage(noCard).audienceScore], [null, null], `${show.name} without the scorecard`);
          // ... and on their own the parser reports them as its source, with the same scores.
          const slotsOnly = parseRtShowPage(body.replace(/<script type="application\/ld\+json">.*?<\/script>/s, ''));
          assert.deepEqual([slotsOnly.criticsScore, slotsOnly.audienceScore, slotsOnly.source], [...scores, 'slots'], `${show.name} (${era}) slots only`);
        }
      }
    } finally {
      await served.close();
    }
  });

  test('no-scores fixture has none of the sources the stand-in pages always have', () => {
    const f = features(fixture('no-scores.html'));
    assert.deepEqual([f.seriesKeys, f.scorecardJson, f.scorecards], [[], 0, 0]);
    assert.ok(f.slotsOutsideCard > 0, 'slots outside a scorecard do not count');
  });

  test('robots.txt (fixture and stand-in) forbids /search and the pictures and account paths, allows show pages', async () => {
    const served = await get('/robots.txt');
    assert.equal(served.status, 200);
    const { disallowed, allowed } = expected['robots.txt'];
    for (const text of [fixture('robots.txt'), served.body]) {
      for (const p of disallowed) assert.equal(robotsAllows(text, p), false, p);
      for (const p of allowed) assert.equal(robotsAllows(text, p), true, p);
    }
    assert.deepEqual(robotsRules(served.body), robotsRules(fixture('robots.txt')));
  });

  test('search page (forbidden, served only for this check): TV rows carry an empty cast, like the fixture', async () => {
    const rows = (html: string) => {
      const $ = load(html);
      return $('search-page-result[type="tvSeries"] search-page-media-row').toArray().map((el) => ({
        cast: $(el).attr('cast'), startyear: $(el).attr('startyear'), endyear: $(el).attr('endyear'),
        tomatometerscore: $(el).attr('tomatometerscore'), href: $(el).find('a[slot="title"]').attr('href'),
      }));
    };
    assert.deepEqual(rows(fixture('search-tv-row.html')), expected['search-tv-row.html'].tvRows);
    const show = ofEra('2025')[0];
    const { status, body } = await get(`/search?search=${encodeURIComponent(show.name)}`);
    assert.equal(status, 200);
    const tv = rows(body);
    assert.ok(tv.length >= 1);
    for (const r of tv) {
      assert.equal(r.cast, '');
      assert.match(r.startyear ?? '', /^\d{4}$/);
      assert.match(r.endyear ?? 'x', /^(\d{4})?$/);
      assert.match(r.tomatometerscore ?? 'x', /^(\d{1,3})?$/);
    }
    assert.ok(tv.some((r) => r.href?.endsWith(`/tv/${rtFactsFor(show)!.slug}`)));
    assert.ok(standin.requestedPaths().includes('/search'));
  });

  test('unknown slugs, stale Wikidata ids and shows off RT are 404 pages', async () => {
    const unknown = await get('/tv/definitely_not_a_show');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /<\/html>\s*$/);
    const stale = onRt.find((s) => rtFactsFor(s)!.wikidata.kind === 'stale')!;
    const staleFacts = rtFactsFor(stale)!.wikidata as { rtIds: string[] };
    assert.equal((await get(`/${staleFacts.rtIds[0]}`)).status, 404);
    const offRt = catalog.shows.filter((s) => s.rt === null).slice(0, 20);
    for (const show of offRt) {
      for (const { rtId: id } of rtSlugCandidates({ name: show.name, originalName: show.originalName, firstAirYear: year(show) })) {
        const r = await get(`/${id}`);
        if (r.status === 200) assert.equal(acceptRtPage(parseRtShowPage(r.body), facts(show)).ok, false, `${show.name}: ${id}`);
      }
    }
  });
});

describe('finding pages by slug candidates', () => {
  test('nearly every on-RT show is found (and only its own page accepted)', async () => {
    const results: { show: CatalogShow; found: string | null; page: RtShowPage | null; requests: number }[] = [];
    const queue = [...onRt];
    const worker = async () => {
      for (let show = queue.shift(); show; show = queue.shift()) {
        let found: string | null = null;
        let page: RtShowPage | null = null;
        let requests = 0;
        // As the crawler walks them: most likely first, a `_<year>` form only after a collision.
        const candidates = rtSlugCandidates({ name: show.name, originalName: show.originalName, firstAirYear: year(show) });
        const looked = new Set<number>();
        let collided = false;
        for (;;) {
          const i = candidates.findIndex((c, j) => !looked.has(j) && (!c.ifTaken || collided));
          if (i < 0) break;
          looked.add(i);
          const id = candidates[i]!.rtId;
          requests++;
          const r = await get(`/${id}`);
          if (r.status !== 200) continue;
          const p = parseRtShowPage(r.body);
          if (acceptRtPage(p, facts(show)).ok) {
            found = id;
            page = p;
            break;
          }
          collided = true;
        }
        results.push({ show, found, page, requests });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    const right = results.filter((r) => r.found === `tv/${rtFactsFor(r.show)!.slug}`);
    const wrong = results.filter((r) => r.found !== null && r.found !== `tv/${rtFactsFor(r.show)!.slug}`);
    const share = right.length / onRt.length;
    const meanRequests = results.reduce((n, r) => n + r.requests, 0) / results.length;
    console.log(`# slug candidates found ${right.length}/${onRt.length} on-RT shows (${(share * 100).toFixed(2)}%), ${wrong.length} wrong, ${meanRequests.toFixed(2)} requests/show`);
    assert.deepEqual(wrong.map((r) => `${r.show.name} → ${r.found}`), []);
    assert.ok(share >= 0.99, `share ${share}`);
    // Pages of both eras parse to the catalog's scores.
    for (const r of right) assert.deepEqual([r.page!.criticsScore, r.page!.audienceScore], [r.show.rt!.criticsScore, r.show.rt!.audienceScore], r.show.name);
    assert.ok(right.some((r) => rtFactsFor(r.show)!.era === '2025') && right.some((r) => rtFactsFor(r.show)!.era === '2026'));
    // Dashed and year-suffixed slugs are among them.
    assert.ok(right.some((r) => r.found!.includes('-')));
    assert.ok(right.some((r) => /_\d{4}$/.test(r.found!)));
  });

  test('a decoy (same TMDB name, other year and cast) and its namesake each accept only their own page', async () => {
    const pairs = catalog.shows.filter((d) => d.decoyOf !== undefined && d.rt !== null && catalog.showById.get(d.decoyOf)!.rt !== null);
    assert.ok(pairs.length >= 3, `decoy pairs on RT: ${pairs.length}`);
    for (const decoy of pairs) {
      const real = catalog.showById.get(decoy.decoyOf!)!;
      const realPage = parseRtShowPage((await get(`/tv/${rtFactsFor(real)!.slug}`)).body);
      const decoyPage = parseRtShowPage((await get(`/tv/${rtFactsFor(decoy)!.slug}`)).body);
      assert.equal(acceptRtPage(realPage, facts(real)).ok, true, real.name);
      assert.equal(acceptRtPage(decoyPage, facts(decoy)).ok, true, `${decoy.name} (${year(decoy)})`);
      assert.equal(acceptRtPage(realPage, facts(decoy)).ok, false, `${decoy.name}: the namesake's page`);
      assert.equal(acceptRtPage(decoyPage, facts(real)).ok, false, `${real.name}: the decoy's page`);
      // Even with no cast to compare, the year tells them apart.
      assert.equal(acceptRtPage({ ...realPage, actors: [] }, facts(decoy)).ok, false);
      assert.equal(acceptRtPage({ ...decoyPage, actors: [] }, facts(real)).ok, false);
    }
  });
});
