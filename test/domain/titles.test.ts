import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetflixTitle, TitleParseError, type ParsedTitle } from '../../src/domain/titles.js';

function episode(raw: string) {
  const p = parseNetflixTitle(raw);
  assert.equal(p.kind, 'episode', `expected an episode for ${JSON.stringify(raw)}`);
  return p as Extract<ParsedTitle, { kind: 'episode' }>;
}

void test('Show: Season N: Episode Title', () => {
  const p = episode('Stranger Things: Season 2: Chapter One: MADMAX');
  assert.equal(p.show, 'Stranger Things');
  assert.equal(p.identityKey, 'stranger things');
  assert.equal(p.season, 'Season 2');
  // the episode title keeps its own colons
  assert.equal(p.episode, 'Chapter One: MADMAX');
});

void test('Show: Season 1: Episode 3 (numbered episode title)', () => {
  const p = episode('Dark: Season 1: Episode 3');
  assert.deepEqual([p.show, p.season, p.episode], ['Dark', 'Season 1', 'Episode 3']);
});

void test('colons in the show name: split on the first season-like segment, not the first colon', () => {
  const p = episode('Star Wars: Andor: Season 1: Kassa');
  assert.equal(p.show, 'Star Wars: Andor');
  assert.equal(p.identityKey, 'star wars andor');
  assert.equal(p.episode, 'Kassa');
  const q = episode('Avatar: The Last Airbender: Book One: Water: The Boy in the Iceberg');
  assert.deepEqual([q.show, q.season, q.episode], ['Avatar: The Last Airbender', 'Book One', 'Water: The Boy in the Iceberg']);
});

void test('every season-like label', () => {
  const cases: [string, string][] = [
    ['Season 10', 'Season 10'],
    ['Series 3', 'Series 3'],
    ['Limited Series', 'Limited Series'],
    ['Part 2', 'Part 2'],
    ['Volume 1', 'Volume 1'],
    ['Vol. 2', 'Vol. 2'],
    ['Book One', 'Book One'],
    ['Book 3', 'Book 3'],
    ['Collection', 'Collection'],
    ['Chapter 4', 'Chapter 4'],
    ['Miniseries', 'Miniseries'],
    ['Part II', 'Part II'],
    ['season 2', 'Season 2'],
  ];
  for (const [label, season] of cases) {
    const p = episode(`My Show: ${label}: The Pilot: Redux`);
    assert.deepEqual([p.show, p.season, p.episode], ['My Show', season, 'The Pilot: Redux'], label);
  }
});

void test('only the first season-like segment splits', () => {
  const p = episode('Money Heist: Part 3: Season 1: Episode 1');
  assert.deepEqual([p.show, p.season, p.episode], ['Money Heist', 'Part 3', 'Season 1: Episode 1']);
});

void test('season-like words inside a segment do not split', () => {
  const p = episode('The Season Finale Show: Season 1: Part of Me');
  assert.equal(p.show, 'The Season Finale Show');
  assert.equal(p.episode, 'Part of Me');
});

void test('films: no season-like segment', () => {
  for (const raw of ['Glass Onion: A Knives Out Mystery', 'Roma', 'Mission: Impossible', 'Spider-Man: Into the Spider-Verse']) {
    const p = parseNetflixTitle(raw);
    assert.equal(p.kind, 'film', raw);
    assert.equal(p.kind === 'film' && p.title, raw);
  }
});

void test('a label ending the title is a film sequel number, not a season', () => {
  for (const raw of ['Kill Bill: Vol. 1', 'Harry Potter and the Deathly Hallows: Part 2']) {
    assert.equal(parseNetflixTitle(raw).kind, 'film', raw);
  }
});

void test('film key ignores case, punctuation and accents', () => {
  const p = parseNetflixTitle('  Amélie:  The  Movie ');
  assert.deepEqual(p, { kind: 'film', title: 'Amélie: The Movie', titleKey: 'amelie the movie' });
});

void test('whitespace is trimmed and collapsed', () => {
  const p = episode('  Breaking   Bad :  Season  5 :   Ozymandias  ');
  assert.deepEqual([p.show, p.season, p.episode], ['Breaking Bad', 'Season 5', 'Ozymandias']);
});

void test('region tag stays in the show name, and in its key as the country (a US remake is its own show)', () => {
  const p = episode('The Office (U.S.): Season 2: The Dundies');
  assert.equal(p.show, 'The Office (U.S.)');
  assert.equal(p.identityKey, 'the office [us]');
});

void test('empty or whitespace-only input throws TitleParseError', () => {
  for (const raw of ['', '   ', '\t\n']) {
    assert.throws(() => parseNetflixTitle(raw), TitleParseError);
  }
});

