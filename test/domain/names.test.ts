import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayShowName, personKey, regionOf, showIdentityKey, showKey } from '../../src/domain/names.js';

void test('showKey drops trailing region tags in their usual spellings', () => {
  for (const name of ['The Office (U.S.)', 'The Office (US)', 'The Office (UK)', 'The Office (U.K.)', 'The Office (Brazil)', 'The Office']) {
    assert.equal(showKey(name), 'the office', name);
  }
  assert.equal(showKey('Shameless (U.S.)'), showKey('Shameless'));
});

void test('showKey keeps non-region parentheses', () => {
  assert.equal(showKey('Doctor Who (2005)'), 'doctor who 2005');
  assert.equal(showKey('Love (It)'), 'love it');
});

void test('showKey folds case, accents, & and punctuation', () => {
  assert.equal(showKey('Pokémon'), 'pokemon');
  assert.equal(showKey('Law & Order: SVU'), 'law and order svu');
  assert.equal(showKey("Grey's Anatomy"), 'greys anatomy');
  assert.equal(showKey("Marvel's Agents of S.H.I.E.L.D."), 'marvels agents of shield');
  assert.equal(showKey('  Star   Wars:  Andor '), 'star wars andor');
  assert.equal(showKey('Ｓｈｏｗ'), 'show'); // NFKD folds full-width letters
});

void test('displayShowName drops only the region tag', () => {
  assert.equal(displayShowName('The Office (U.S.)'), 'The Office');
  assert.equal(displayShowName('Money Heist: Korea (South Korea)'), 'Money Heist: Korea');
  assert.equal(displayShowName("Grey's Anatomy"), "Grey's Anatomy");
  assert.equal(displayShowName('Doctor Who (2005)'), 'Doctor Who (2005)');
});

void test('personKey ignores accents, case, punctuation and word order', () => {
  assert.equal(personKey('Penélope Cruz'), personKey('CRUZ, Penelope'));
  assert.equal(personKey('Úrsula Corberó'), 'corbero ursula');
  assert.equal(personKey('J.K. Simmons'), personKey('Simmons JK'));
  assert.equal(personKey('Nikolaj Coster-Waldau'), 'coster nikolaj waldau');
  assert.notEqual(personKey('Tom Hardy'), personKey('Tom Holland'));
});

void test('regionOf maps a trailing region tag to the ISO 3166-1 alpha-2 code TMDB uses', () => {
  const cases: [string, string | null][] = [
    ['The Office (U.S.)', 'US'],
    ['The Office (US)', 'US'],
    ['The Office (USA)', 'US'],
    ['The Office (u.s.a.)', 'US'],
    ['Big Brother (UK)', 'GB'],
    ['Big Brother (U.K.)', 'GB'],
    ['Big Brother (GB)', 'GB'],
    ['Big Brother (Great Britain)', 'GB'],
    ['  Big   Brother  (U. K.) ', 'GB'],
    ['Money Heist: Korea (South Korea)', 'KR'],
    ['The Office (Brazil)', 'BR'],
    ['Love Island (Australia)', 'AU'],
    ['Queer Eye (Germany)', 'DE'],
    ['Dragons\' Den (Canada)', 'CA'],
    ['Too Hot to Handle (LATAM)', null], // a tag, but no single country
    ['The Office', null],
    ['Doctor Who (2005)', null],
    ['Love (It)', null], // "It" is a word here, not Italy
    ['(US)', null], // a tag needs a name before it
    ['The Office (U.S.) Extras', null], // only a trailing tag counts
  ];
  for (const [name, region] of cases) assert.equal(regionOf(name), region, name);
});

void test('showIdentityKey: a region tag makes its own show; untagged keys are the plain showKey', () => {
  assert.equal(showIdentityKey('Big Brother (U.S.)'), 'big brother [us]');
  assert.equal(showIdentityKey('Big Brother (UK)'), 'big brother [gb]');
  assert.equal(showIdentityKey('Big Brother (U.K.)'), showIdentityKey('Big Brother (GB)'));
  assert.notEqual(showIdentityKey('Big Brother (U.S.)'), showIdentityKey('Big Brother (UK)'));
  // Untagged (and countryless tags) keep exactly the keys stored before regions existed.
  for (const name of ['The Office', 'Doctor Who (2005)', "Grey's Anatomy", 'Too Hot to Handle (LATAM)']) {
    assert.equal(showIdentityKey(name), showKey(name), name);
  }
  // showKey itself still ignores the tag: name matching and "don't name the show" are unchanged.
  assert.equal(showKey('Big Brother (U.S.)'), 'big brother');
});
