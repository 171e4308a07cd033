import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtSearchPage, parseRtShowPage, pickRtRow, RtParseError, type RtSearchRow } from '../../src/domain/rtMatch.js';

function mediaRow(title: string, slug: string, cast: string, start = '2019', end = '2021') {
  return `<search-page-media-row cast="${cast}" start-year="${start}" end-year="${end}" tomatometer-score="80">
    <a href="https://www.rottentomatoes.com/tv/${slug}" data-qa="thumbnail-link" slot="thumbnail"><img alt="${title}"></a>
    <a href="https://www.rottentomatoes.com/tv/${slug}" data-qa="info-name" slot="title"> ${title} </a>
  </search-page-media-row>`;
}

const SEARCH_PAGE = `<!doctype html><html><body><search-page>
  <search-page-result type="movie" data-qa="search-result">
    <h2 slot="title">Movies</h2>
    <ul slot="list">
      <search-page-media-row cast="Bryan Cranston,Aaron Paul" release-year="2019">
        <a href="https://www.rottentomatoes.com/m/el_camino" data-qa="info-name" slot="title">El Camino</a>
      </search-page-media-row>
    </ul>
  </search-page-result>
  <search-page-result type="tvSeries" data-qa="search-result">
    <h2 slot="title">TV shows</h2>
    <ul slot="list">
      ${mediaRow('Dark', 'dark_2012', 'Someone Else,Another Person,Third Actor')}
      ${mediaRow('Dark', 'dark', 'Louis Hofmann,Lisa Vicari,Maja Schöne', '2017', '')}
      ${mediaRow('Dark Matter', 'dark_matter', '')}
    </ul>
  </search-page-result>
</search-page></body></html>`;

void test('parseRtSearchPage reads only tvSeries rows, with cast, years and slug', () => {
  const rows = parseRtSearchPage(SEARCH_PAGE);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1], {
    title: 'Dark',
    url: 'https://www.rottentomatoes.com/tv/dark',
    slug: 'dark',
    cast: ['Louis Hofmann', 'Lisa Vicari', 'Maja Schöne'],
    startYear: 2017,
    endYear: null,
  });
  assert.ok(!rows.some((r) => r.title === 'El Camino'), 'movie group must be ignored');
  assert.deepEqual(rows[2].cast, []);
});

void test('parseRtSearchPage with no tv group → []', () => {
  assert.deepEqual(parseRtSearchPage('<search-page-result type="movie">' + mediaRow('X', 'x', 'A B') + '</search-page-result>'), []);
  assert.deepEqual(parseRtSearchPage(''), []);
});

void test('pickRtRow skips a decoy with a disjoint cast and matches despite accents and word order', () => {
  const rows = parseRtSearchPage(SEARCH_PAGE);
  const tmdbCast = ['HOFMANN Louis', 'Lisa Vicari', 'Maja Schone', 'Oliver Masucci', 'Jördis Triebel'];
  assert.equal(pickRtRow(rows, tmdbCast)?.slug, 'dark');
});

function row(slug: string, cast: string[]): RtSearchRow {
  return { title: slug, url: `/tv/${slug}`, slug, cast, startYear: null, endYear: null };
}

void test('threshold is exactly ⌈min(|A|,|B|)/2⌉', () => {
  const tmdb = ['A One', 'B Two', 'C Three', 'D Four', 'E Five'];
  // min(3, 5) = 3 → need 2
  assert.equal(pickRtRow([row('two', ['A One', 'B Two', 'X Nine'])], tmdb)?.slug, 'two');
  assert.equal(pickRtRow([row('one', ['A One', 'Y Eight', 'X Nine'])], tmdb), null);
  // min(4, 5) = 4 → need 2 (even boundary)
  assert.equal(pickRtRow([row('even', ['A One', 'B Two', 'X Nine', 'Y Eight'])], tmdb)?.slug, 'even');
  assert.equal(pickRtRow([row('even1', ['A One', 'Z Seven', 'X Nine', 'Y Eight'])], tmdb), null);
  // min(1, 5) = 1 → need 1
  assert.equal(pickRtRow([row('solo', ['C Three'])], tmdb)?.slug, 'solo');
  // TMDB side smaller: min(5, 2) = 2 → need 1
  assert.equal(pickRtRow([row('big', ['A One', 'Q', 'R', 'S', 'T'])], ['A One', 'Nobody Else'])?.slug, 'big');
});

void test('the first qualifying row wins', () => {
  const rows = [row('first', ['A One', 'B Two']), row('second', ['A One', 'B Two'])];
  assert.equal(pickRtRow(rows, ['A One', 'B Two'])?.slug, 'first');
});

void test('rows with an empty cast never match; empty TMDB cast never matches', () => {
  assert.equal(pickRtRow([row('empty', [])], ['A One']), null);
  assert.equal(pickRtRow([row('x', ['A One'])], []), null);
});

const showPage = (critics: string, audience: string) =>
  `<html><body><media-scorecard>
    <rt-text slot="criticsScore" context="label" size="1.375">${critics}</rt-text>
    <rt-text slot="audienceScore" context="label" size="1.375">${audience}</rt-text>
  </media-scorecard></body></html>`;

void test('parseRtShowPage reads both scores', () => {
  assert.deepEqual(parseRtShowPage(showPage('93%', ' 88% ')), { criticsScore: 93, audienceScore: 88 });
  assert.deepEqual(parseRtShowPage(showPage('0%', '100%')), { criticsScore: 0, audienceScore: 100 });
});

void test('empty and -- scores are null', () => {
  assert.deepEqual(parseRtShowPage(showPage('--', '')), { criticsScore: null, audienceScore: null });
  assert.deepEqual(parseRtShowPage(showPage('', '71%')), { criticsScore: null, audienceScore: 71 });
  assert.deepEqual(parseRtShowPage('<rt-text slot="audienceScore">64%</rt-text>'), { criticsScore: null, audienceScore: 64 });
});

void test('a page with neither score slot throws RtParseError', () => {
  assert.throws(() => parseRtShowPage('<html><body><h1>Dark</h1><div class="scores">'), RtParseError);
  assert.throws(() => parseRtShowPage(''), RtParseError);
});
