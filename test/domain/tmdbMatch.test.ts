import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickTmdbMatch, type TmdbSearchResult } from '../../src/domain/tmdbMatch.js';

function result(id: number, name: string, first_air_date: string | null, popularity: number, original_name = name, origin_country: string[] = []): TmdbSearchResult {
  return { id, name, original_name, first_air_date, popularity, genre_ids: [], poster_path: null, overview: '', origin_country };
}
const from = (country: string[], r: TmdbSearchResult): TmdbSearchResult => ({ ...r, origin_country: country });

void test('an exact (normalized) name beats a more popular first result', () => {
  const results = [
    result(1, 'The Office: Superfan Episodes', '2021-01-01', 900),
    result(2, 'The Office', '2005-03-24', 300),
  ];
  assert.equal(pickTmdbMatch('The Office (U.S.)', { first: 2020, last: 2021 }, results)?.id, 2);
});

void test('original_name counts as an exact name', () => {
  const results = [result(1, 'Paper House', '2017-05-02', 50), result(2, 'Money Heist', '2017-05-02', 80, 'La casa de papel')];
  assert.equal(pickTmdbMatch('La Casa de Papel', null, results)?.id, 2);
});

void test('no exact candidate → null, never the first fuzzy result', () => {
  const results = [result(1, 'The Office Mix', '2010-01-01', 999), result(2, 'Office Space', '2001-01-01', 10)];
  assert.equal(pickTmdbMatch('The Office', { first: 2020, last: 2020 }, results), null);
  assert.equal(pickTmdbMatch('Anything', null, []), null);
});

void test('same-name shows: the most popular one that could have been watched wins, however long ago it aired', () => {
  const results = [
    result(10, 'Doctor Who', '1963-11-23', 100),
    result(11, 'Doctor Who', '2005-03-26', 400),
    result(12, 'Doctor Who', '2023-11-25', 200),
    result(13, 'Doctor Who', '2018-01-01', 5), // aired closest to the watch, but obscure
  ];
  assert.equal(pickTmdbMatch('Doctor Who', { first: 2019, last: 2020 }, results)?.id, 11);
  assert.equal(pickTmdbMatch('Doctor Who', { first: 2024, last: 2024 }, results)?.id, 11);
  // watched in 1999: only the 1963 series had aired
  assert.equal(pickTmdbMatch('Doctor Who', { first: 1999, last: 1999 }, results)?.id, 10);
  // watched in 2010: the 2023 series can't be it, even though it is more popular than 1963's
  assert.equal(pickTmdbMatch('Doctor Who', { first: 2010, last: 2010 }, [results[0], results[2]])?.id, 10);
});

void test('a show first aired after the last watch loses to any that could have been watched', () => {
  const results = [result(1, 'Heartstopper', '2030-01-01', 999), result(2, 'Heartstopper', '2022-04-22', 5)];
  assert.equal(pickTmdbMatch('Heartstopper', { first: 2023, last: 2023 }, results)?.id, 2);
});

void test('aired during the watch span ranks below aired before the first watch', () => {
  const results = [result(1, 'Cosmos', '2020-03-09', 90), result(2, 'Cosmos', '1980-09-28', 10)];
  assert.equal(pickTmdbMatch('Cosmos', { first: 2019, last: 2021 }, results)?.id, 2);
});

void test('popularity breaks ties, then id', () => {
  const same = [result(5, 'Chef', '2015-01-01', 10), result(3, 'Chef', '2015-06-01', 40), result(4, 'Chef', '2015-02-01', 40)];
  assert.equal(pickTmdbMatch('Chef', { first: 2020, last: 2020 }, same)?.id, 3);
  // without watch dates: popularity alone
  const two = [result(1, 'Chef', '1990-01-01', 1), result(2, 'Chef', '2019-01-01', 2)];
  assert.equal(pickTmdbMatch('Chef', null, two)?.id, 2);
});

void test('missing first_air_date ranks after dated plausible candidates', () => {
  const results = [result(1, 'Atlas', null, 100), result(2, 'Atlas', '2018-01-01', 1)];
  assert.equal(pickTmdbMatch('Atlas', { first: 2020, last: 2020 }, results)?.id, 2);
});

void test('region tag: among same-named shows the tagged country wins, even against a more popular one', () => {
  const uk = from(['GB'], result(1, 'Big Brother', '2000-07-18', 180));
  const us = from(['US'], result(2, 'Big Brother', '2000-07-05', 90));
  const results = [uk, us];
  // The tag can come with the name or, as the activity passes it, beside a tag-less stored name.
  assert.equal(pickTmdbMatch('Big Brother (U.S.)', { first: 2020, last: 2021 }, results)?.id, 2);
  assert.equal(pickTmdbMatch('Big Brother', { first: 2020, last: 2021 }, results, 'US')?.id, 2);
  assert.equal(pickTmdbMatch('Big Brother (UK)', { first: 2020, last: 2021 }, results)?.id, 1);
  assert.equal(pickTmdbMatch('Big Brother', null, results, 'GB')?.id, 1);
  // Without a tag: popularity, as before. An explicit null region ignores the name's own tag.
  assert.equal(pickTmdbMatch('Big Brother', { first: 2020, last: 2021 }, results)?.id, 1);
  assert.equal(pickTmdbMatch('Big Brother (U.S.)', { first: 2020, last: 2021 }, results, null)?.id, 1);
  // A co-production counts for each of its countries; codes compare case-insensitively.
  assert.equal(pickTmdbMatch('Big Brother', null, [uk, from(['us', 'CA'], us)], 'US')?.id, 2);
});

void test('region tag is a preference, not a filter: no candidate from the country → the usual ranking', () => {
  const results = [from(['AU'], result(1, 'Big Brother', '2001-04-23', 40)), from(['GB'], result(2, 'Big Brother', '2000-07-18', 180))];
  assert.equal(pickTmdbMatch('Big Brother (U.S.)', { first: 2020, last: 2020 }, results)?.id, 2);
  // …and never lets a non-exact name in.
  assert.equal(pickTmdbMatch('Big Brother (U.S.)', null, [from(['US'], result(3, 'Big Brother: After Dark', '2007-01-01', 500))]), null);
});

void test('region ranks above the aired-before/aired-during/no-date tiers, below "aired after the last watch"', () => {
  // The US remake aired during the watch span (tier b); the older British original before it (tier a).
  const original = from(['GB'], result(1, 'Ghosts', '2019-04-15', 60));
  const remake = from(['US'], result(2, 'Ghosts', '2021-10-07', 40));
  assert.equal(pickTmdbMatch('Ghosts (U.S.)', { first: 2020, last: 2023 }, [original, remake])?.id, 2);
  assert.equal(pickTmdbMatch('Ghosts', { first: 2020, last: 2023 }, [original, remake])?.id, 1, 'untagged: tiers as before');
  // No first-air date (tier c) from the tagged country still beats a dated one from elsewhere.
  const undated = from(['US'], result(3, 'Ghosts', null, 1));
  assert.equal(pickTmdbMatch('Ghosts (US)', { first: 2020, last: 2023 }, [original, undated])?.id, 3);
  // A show that first aired after the last watch can't be it, whatever its country.
  const future = from(['US'], result(4, 'Ghosts', '2030-01-01', 999));
  assert.equal(pickTmdbMatch('Ghosts (U.S.)', { first: 2020, last: 2023 }, [original, future])?.id, 1);
  // Between two from the tagged country, the tiers and then popularity decide as before.
  const olderUs = from(['US'], result(5, 'Ghosts', '1995-01-01', 5));
  assert.equal(pickTmdbMatch('Ghosts (U.S.)', { first: 2020, last: 2023 }, [original, remake, olderUs])?.id, 5);
});
