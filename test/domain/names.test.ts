import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayShowName, personKey, showKey } from '../../src/domain/names.js';

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
