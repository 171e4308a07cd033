import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { acceptRtPage, castThreshold, rtIdFromWikidata, rtSlugCandidates, strongCastThreshold } from '../../src/domain/rtMatch.js';
import { assertWholePage, parseRtShowPage, RtParseError, type RtShowPage } from '../../src/domain/rtPage.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/rt/${name}`, import.meta.url), 'utf8');
const expected = JSON.parse(fixture('expected.json')) as Record<string, { page?: RtShowPage; error?: string; sampleIncludes?: string }>;

const LD_RE = /<script type="application\/ld\+json">\{"@context":"http:\/\/schema.org","@type":"TVSeries".*?<\/script>/s;
const CARD_JSON_RE = /<script id="media-scorecard-json"[^>]*>.*?<\/script>/s;

void test('every page fixture parses to its expected values', () => {
  for (const name of ['show-2025.html', 'show-2026.html', 'unscored-with-scored-related.html', 'show-dotted-title.html', 'show-no-date.html']) {
    assert.deepEqual(parseRtShowPage(fixture(name)), expected[name].page, name);
  }
});

void test('2025 (camelCase) and 2026 (kebab-case) pages give the same scores from every source', () => {
  for (const name of ['show-2025.html', 'show-2026.html']) {
    const html = fixture(name);
    const scores = (h: string) => {
      const p = parseRtShowPage(h);
      return [p.criticsScore, p.audienceScore, p.source];
    };
    assert.deepEqual(scores(html), [91, 78, 'json-ld']);
    const noLd = html.replace(LD_RE, '');
    assert.deepEqual(scores(noLd), [91, 78, 'scorecard-json'], `${name} without JSON-LD`);
    assert.deepEqual(scores(noLd.replace(CARD_JSON_RE, '')), [91, 78, 'slots'], `${name} with slots only`);
    // JSON-LD states only the Tomatometer: the audience side comes from the next source.
    assert.deepEqual(scores(html.replace(CARD_JSON_RE, '')), [91, 78, 'json-ld'], `${name} without scorecard JSON`);
  }
});

void test('an unscored show reads null, never the related titles\' or seasons\' scores', () => {
  const html = fixture('unscored-with-scored-related.html');
  const p = parseRtShowPage(html);
  assert.equal(p.criticsScore, null);
  assert.equal(p.audienceScore, null);
  const slotsOnly = parseRtShowPage(html.replace(LD_RE, '').replace(CARD_JSON_RE, ''));
  assert.deepEqual([slotsOnly.criticsScore, slotsOnly.audienceScore, slotsOnly.source], [null, null, 'slots']);
  // The scored show's own seasons carry other numbers in the same slot names.
  const seasonsOnly = fixture('show-2025.html').replace(/<media-scorecard>.*?<\/media-scorecard>/s, '<media-scorecard><rt-text slot="criticsScore">--</rt-text></media-scorecard>');
  assert.equal(parseRtShowPage(seasonsOnly.replace(LD_RE, '').replace(CARD_JSON_RE, '')).criticsScore, null);
});

void test('a page with none of the three sources throws RtParseError with a sample of the page', () => {
  const { sampleIncludes } = expected['no-scores.html'];
  assert.throws(() => parseRtShowPage(fixture('no-scores.html')), (e: Error) => {
    assert.ok(e instanceof RtParseError);
    assert.ok(e.message.includes(sampleIncludes!), e.message);
    assert.ok(e.message.length < 400, 'the sample is short');
    return true;
  });
  assert.throws(() => parseRtShowPage(''), RtParseError);
  assert.throws(() => parseRtShowPage('<html><body><h1>Service Unavailable</h1></body></html>'), /Service Unavailable/);
  // A scorecard element with no score slots is not a source.
  assert.throws(() => parseRtShowPage('<html><body><media-scorecard><rt-text slot="title">X</rt-text></media-scorecard></body></html>'), RtParseError);
});

void test('broken JSON in a script is treated as absent, never a crash', () => {
  const html = fixture('show-2026.html');
  const brokenLd = html.replace(LD_RE, '<script type="application/ld+json">{"@type":"TVSeries","name":"Harbor</script>');
  const p = parseRtShowPage(brokenLd);
  assert.deepEqual([p.criticsScore, p.audienceScore, p.source, p.name, p.actors], [91, 78, 'scorecard-json', null, []]);
  const bothBroken = brokenLd.replace(CARD_JSON_RE, '<script id="media-scorecard-json" type="application/json">{criticsScore:</script>');
  assert.deepEqual(parseRtShowPage(bothBroken).source, 'slots');
  assert.throws(() => parseRtShowPage('<script type="application/ld+json">{oops</script><script id="media-scorecard-json" type="application/json">[</script>'), RtParseError);
});

void test('JSON-LD variants: array, @graph, type array, numeric rating, single actor; unscored rating reads null', () => {
  const ld = (o: unknown) => `<html><head><script type="application/ld+json">${JSON.stringify(o)}</script></head></html>`;
  const series = { '@type': ['TVSeries'], name: ' Dark ', dateCreated: '2017-12-01', actor: { '@type': 'Person', name: 'Louis Hofmann' }, aggregateRating: { ratingValue: 94 } };
  for (const html of [ld([{ '@type': 'Organization' }, series]), ld({ '@graph': [series] }), ld(series)]) {
    assert.deepEqual(parseRtShowPage(html), { name: 'Dark', firstAirYear: 2017, actors: ['Louis Hofmann'], criticsScore: 94, audienceScore: null, source: 'json-ld' });
  }
  assert.equal(parseRtShowPage(ld({ ...series, aggregateRating: { ratingValue: '' } })).criticsScore, null);
  assert.equal(parseRtShowPage(ld({ ...series, aggregateRating: { ratingValue: '0' } })).criticsScore, 0);
  assert.equal(parseRtShowPage(ld({ ...series, dateCreated: 'unknown' })).firstAirYear, null);
});

void test('assertWholePage: a page without </html> is an RtParseError', () => {
  const html = fixture('show-2025.html');
  assert.doesNotThrow(() => assertWholePage(html));
  assert.throws(() => assertWholePage(html.slice(0, Math.floor(html.length / 2))), (e: Error) => e instanceof RtParseError && /incomplete/.test(e.message));
});

const ids = (show: Parameters<typeof rtSlugCandidates>[0]) => rtSlugCandidates(show).map((c) => c.rtId);

void test('slug candidates: _ form, then _year, then - form, then -…_year; apostrophes, diacritics, & and duplicates', () => {
  assert.deepEqual(ids({ name: 'The Bear', originalName: 'The Bear', firstAirYear: 2022 }), ['tv/the_bear', 'tv/the_bear_2022', 'tv/the-bear', 'tv/the-bear_2022']);
  assert.deepEqual(ids({ name: 'Peacemaker', originalName: null, firstAirYear: 2022 }), ['tv/peacemaker', 'tv/peacemaker_2022']);
  assert.deepEqual(ids({ name: "Grey's Anatomy", firstAirYear: null }), ['tv/greys_anatomy', 'tv/greys-anatomy']);
  assert.deepEqual(ids({ name: 'Señor Ávila', firstAirYear: null }).slice(0, 1), ['tv/senor_avila']);
  assert.deepEqual(ids({ name: 'Half-Moon: Rising', firstAirYear: 2020 })[0], 'tv/half_moon_rising');
  assert.deepEqual(ids({ name: 'Rock & Roll', firstAirYear: 2001 }), [
    'tv/rock_roll', 'tv/rock_and_roll', 'tv/rock_roll_2001', 'tv/rock_and_roll_2001', 'tv/rock-roll', 'tv/rock-and-roll', 'tv/rock-roll_2001', 'tv/rock-and-roll_2001',
  ]);
  assert.deepEqual(ids({ name: 'The Office (U.S.)', firstAirYear: 2005 })[0], 'tv/the_office');
  const both = ids({ name: 'Money Heist', originalName: 'La casa de papel', firstAirYear: 2017 });
  assert.deepEqual(both.slice(0, 4), ['tv/money_heist', 'tv/la_casa_de_papel', 'tv/money_heist_2017', 'tv/la_casa_de_papel_2017']);
  assert.ok(both.length <= 8);
  assert.ok(ids({ name: 'A & B', originalName: 'C & D', firstAirYear: 2000 }).length <= 8);
  assert.deepEqual(ids({ name: '!!!', originalName: '', firstAirYear: 2000 }), []);
  assert.deepEqual(ids({ name: '日本', firstAirYear: 2000 }), []);
});

void test('slug candidates: RT drops a dot inside a word ("L.A." → la, "4.0" → 40); a dot that ends a word separates', () => {
  const dotted = expected['show-dotted-title.html'] as { slug: string; page: RtShowPage };
  assert.equal(ids({ name: dotted.page.name!, firstAirYear: 2021 })[0], dotted.slug);
  assert.equal(ids({ name: "L.A.'s Finest", firstAirYear: 2019 })[0], 'tv/las_finest');
  assert.equal(ids({ name: 'Mr. Robot', firstAirYear: 2015 })[0], 'tv/mr_robot');
  assert.equal(ids({ name: 'S.W.A.T.', firstAirYear: 2017 })[0], 'tv/swat');
});

void test('slug candidates: a year-suffixed form waits for a collision unless the title names the year', () => {
  assert.deepEqual(rtSlugCandidates({ name: 'Peacemaker', originalName: null, firstAirYear: 2022 }), [
    { rtId: 'tv/peacemaker', ifTaken: false },
    { rtId: 'tv/peacemaker_2022', ifTaken: true },
  ]);
  // "(2022)" in the title: RT had to tell it from a namesake, so that year's form is tried at once.
  assert.deepEqual(rtSlugCandidates({ name: 'Peacemaker (2022)', originalName: null, firstAirYear: 2022 }), [
    { rtId: 'tv/peacemaker', ifTaken: false },
    { rtId: 'tv/peacemaker_2022', ifTaken: false },
  ]);
});

void test('rtIdFromWikidata takes the tv/ id, never a film id', () => {
  assert.equal(rtIdFromWikidata(['m/the_bear', 'tv/the_bear']), 'tv/the_bear');
  assert.equal(rtIdFromWikidata(['tv/game_of_thrones']), 'tv/game_of_thrones');
  assert.equal(rtIdFromWikidata(['m/heat']), null);
  assert.equal(rtIdFromWikidata([]), null);
});

const page = (over: Partial<RtShowPage>): RtShowPage => ({
  name: 'Dark', firstAirYear: 2017, actors: ['Louis Hofmann', 'Lisa Vicari', 'Maja Schöne'], criticsScore: 94, audienceScore: 93, source: 'json-ld', ...over,
});
const dark = { name: 'Dark', originalName: 'Dark', firstAirYear: 2017, cast: ['Louis Hofmann', 'Lisa Vicari', 'Maja Schöne', 'Oliver Masucci'] };

void test('acceptRtPage: year within one, cast overlap ⌈min/2⌉ by person key', () => {
  assert.deepEqual(acceptRtPage(page({}), dark), { ok: true });
  assert.equal(acceptRtPage(page({ firstAirYear: 2018 }), dark).ok, true);
  const off = acceptRtPage(page({ firstAirYear: 2019 }), dark);
  assert.equal(off.ok, false);
  assert.match((off as { reason: string }).reason, /2019.*2017/);
  // Diacritics, case and word order do not matter.
  assert.equal(acceptRtPage(page({ actors: ['maja schone', 'Vicari Lisa', 'Someone Else'] }), dark).ok, true);
  // 3 RT names, 4 TMDB: 2 needed.
  assert.equal(acceptRtPage(page({ actors: ['Louis Hofmann', 'X One', 'Y Two'] }), dark).ok, false);
  assert.equal(acceptRtPage(page({ actors: ['Louis Hofmann', 'Lisa Vicari', 'Y Two'] }), dark).ok, true);
  // One RT name: 1 needed.
  assert.equal(acceptRtPage(page({ actors: ['Oliver Masucci'] }), dark).ok, true);
  assert.equal(acceptRtPage(page({ actors: ['Nobody Here'] }), dark).ok, false);
  // A same-name page of another show (other cast) is rejected.
  assert.equal(acceptRtPage(page({ firstAirYear: 2016, actors: ['A B', 'C D', 'E F', 'G H'] }), dark).ok, false);
  // A missing year is not a disagreeing one: the whole cast in common is enough (DESIGN §2).
  assert.equal(acceptRtPage(page({ firstAirYear: null }), dark).ok, true);
  assert.equal(acceptRtPage(page({}), { ...dark, firstAirYear: null }).ok, true);
  assert.equal(castThreshold(3, 4), 2);
  assert.equal(castThreshold(4, 10), 2);
  assert.equal(castThreshold(5, 9), 3);
});

void test('acceptRtPage with no cast on a side: exact normalised name and the same year', () => {
  const noCast = { ...dark, cast: [] };
  assert.equal(acceptRtPage(page({ actors: [], firstAirYear: 2018 }), dark).ok, false);
  assert.equal(acceptRtPage(page({}), noCast).ok, true);
  assert.equal(acceptRtPage(page({ actors: [] }), dark).ok, true);
  assert.equal(acceptRtPage(page({ actors: [], name: 'Dark (2017)' }), dark).ok, true);
  assert.equal(acceptRtPage(page({ actors: [], name: 'DARK' }), dark).ok, true);
  assert.equal(acceptRtPage(page({ actors: [], name: 'Dark Matter' }), dark).ok, false);
  assert.equal(acceptRtPage(page({ actors: [], firstAirYear: 2020 }), dark).ok, false);
  assert.equal(acceptRtPage(page({ actors: [], firstAirYear: null }), dark).ok, false);
  // A "(YYYY)" the page's name ends with stands in for a missing date.
  assert.equal(acceptRtPage(page({ actors: [], firstAirYear: null, name: 'Dark (2017)' }), dark).ok, true);
  assert.equal(acceptRtPage(page({ actors: [], firstAirYear: null, name: 'Dark (2015)' }), dark).ok, false);
  assert.equal(acceptRtPage(page({ actors: [] }), { ...dark, firstAirYear: null }).ok, false);
  assert.equal(acceptRtPage(page({ actors: [], name: null }), dark).ok, false);
  // Matches the original name too, with accents folded.
  assert.equal(acceptRtPage(page({ actors: [], name: 'Señor Ávila' }), { ...noCast, name: 'Mr Avila', originalName: 'Senor Avila' }).ok, true);
  // A page without JSON-LD never passes.
  assert.equal(acceptRtPage(page({ name: null, firstAirYear: null, actors: [], source: 'scorecard-json' }), dark).ok, false);
});

void test('a page with no first-air date at all: accepted on strong cast agreement, refused on weak', () => {
  const noDate = (expected['show-no-date.html'] as { page: RtShowPage }).page;
  assert.equal(noDate.firstAirYear, null);
  const copper = { name: 'Copper Valley', originalName: 'Copper Valley', firstAirYear: 2023, cast: ['Hattie Brannigan', 'Owen Tsosie', 'Marta Kowalczyk', 'Elijah Strand', 'Nell Amari'] };
  // All four RT names in the TMDB cast: the missing year does not count against the page.
  assert.deepEqual(acceptRtPage(noDate, copper), { ok: true });
  assert.deepEqual(acceptRtPage(noDate, { ...copper, firstAirYear: null }), { ok: true });
  // Two of four would do with a year to compare; without one it takes max(3, ⌈2·4/3⌉) = 3.
  const twoShared = { ...copper, cast: ['Hattie Brannigan', 'Owen Tsosie', 'A Stranger', 'B Stranger'] };
  const refused = acceptRtPage(noDate, twoShared);
  assert.equal(refused.ok, false);
  assert.match((refused as { reason: string }).reason, /2 of 4 RT actors.*3 needed.*no first-air year/);
  assert.equal(acceptRtPage({ ...noDate, firstAirYear: 2023 }, twoShared).ok, true);
  // A namesake: same title, another cast.
  assert.equal(acceptRtPage(noDate, { ...copper, cast: ['X Y', 'Z W', 'Q R'] }).ok, false);
  // A small cast can never agree strongly enough: 2 names in common are not 3.
  assert.equal(acceptRtPage({ ...noDate, actors: ['Hattie Brannigan', 'Owen Tsosie'] }, copper).ok, false);
  assert.equal(strongCastThreshold(4, 5), 3);
  assert.equal(strongCastThreshold(9, 12), 6);
});
