import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickTmdbMatch, type TmdbSearchResult } from '../../src/domain/tmdbMatch.js';

function result(id: number, name: string, first_air_date: string | null, popularity: number, original_name = name): TmdbSearchResult {
  return { id, name, original_name, first_air_date, popularity, genre_ids: [], poster_path: null, overview: '', origin_country: [] };
}

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
