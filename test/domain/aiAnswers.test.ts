// What a valid answer is: constants, schemas, and the checks zod can't express.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mentionsRtScore, mentionsShow, PERSONALITIES, STAR_SIGNS, type ShowQuipsInput } from '../../src/domain/ai/answers.js';
import { localEngine } from '../../src/domain/ai/localEngine.js';
import { showQuipsQuestion, starSignQuestion, validateAnswer } from '../../src/domain/ai/questions.js';
import { star } from '../support/aiInputs.js';

void test('constants: 12 signs, the 10 DESIGN personalities', () => {
  assert.equal(new Set(STAR_SIGNS).size, 12);
  assert.deepEqual([...PERSONALITIES], [
    'Sitcom Sage', 'Documentary Detective', 'Reality Royalty', 'Crime Connoisseur', 'Escape Artist',
    'The Adventurer', 'The Hopeless Romantic', 'The Daydreamer', 'The Philosopher', 'The Party Starter',
  ]);
});

void test('show-name check is case-insensitive, accent/punctuation-insensitive and whole-word', () => {
  const input: ShowQuipsInput = {
    firstShow: { name: 'Pokémon', genres: [] },
    mostWatchedShow: { name: 'The Office (U.S.)', genres: [], watched: 3, total: 9 },
  };
  const bad = (firstShowQuip: string, mostWatchedShowQuip = 'Nice.') =>
    validateAnswer(showQuipsQuestion, input, { firstShowQuip, mostWatchedShowQuip }).ok === false;
  assert.ok(bad('POKEMON forever'));
  assert.ok(bad('Nice.', 'Back to the office. THE OFFICE, that is.'));
  assert.ok(bad('the office was your first love')); // either show's name counts in either quip
  assert.ok(!bad('Pokemonish vibes aside, a lovely start.'));
  assert.ok(mentionsShow('I love you.', 'You'));
  assert.ok(!mentionsShow('Youthful energy.', 'You'));
});

void test('RT quip check: no score digits, no Rotten Tomatoes', () => {
  assert.ok(mentionsRtScore('You scored 73 with the critics', 73.4));
  assert.ok(mentionsRtScore('You scored 74 with the critics', 73.5));
  assert.ok(mentionsRtScore('Rotten  Tomatoes loves you', null));
  assert.ok(mentionsRtScore('the tomatometer agrees', 50));
  assert.ok(!mentionsRtScore('Top 3 taste, easily', 73.4));
  const base = localEngine.starSign(star([['Drama', 100]], 73.4, 1, 1));
  assert.equal(validateAnswer(starSignQuestion, star([['Drama', 100]], 73.4, 1, 1), { ...base, rtScoreQuip: 'A solid 73 out of 100.' }).ok, false);
});

void test('schema rejects wrong enums and quips over 140 characters', () => {
  const input = star([['Comedy', 100]], 50, 1, 1);
  const good = localEngine.starSign(input);
  assert.ok(validateAnswer(starSignQuestion, input, good).ok);
  assert.equal(validateAnswer(starSignQuestion, input, { ...good, starSign: { ...good.starSign, sign: 'Ophiuchus' } }).ok, false);
  assert.equal(validateAnswer(starSignQuestion, input, { ...good, personality: { ...good.personality, name: 'Couch Potato' } }).ok, false);
  assert.equal(validateAnswer(starSignQuestion, input, { ...good, topGenresQuip: 'x'.repeat(141) }).ok, false);
  assert.equal(validateAnswer(starSignQuestion, input, { ...good, topGenresQuip: '   ' }).ok, false);
});

void test('an answer whose two show quips are the same is invalid (the client retries, then falls back)', () => {
  const input = { firstShow: { name: 'Hawkstead', genres: ['Drama'] }, mostWatchedShow: { name: 'Off-Road', genres: ['Comedy'], watched: 3, total: 10 } };
  const same = 'Your taste is a mixtape: a bit of drama, a dash of mischief, all heart.';
  const result = validateAnswer(showQuipsQuestion, input, { firstShowQuip: same, mostWatchedShowQuip: same });
  assert.equal(result.ok, false);
  assert.equal(validateAnswer(showQuipsQuestion, input, { firstShowQuip: same, mostWatchedShowQuip: 'Comfort TV, perfected.' }).ok, true);
  const local = localEngine.showQuips(input);
  assert.notEqual(local.firstShowQuip, local.mostWatchedShowQuip);
});
