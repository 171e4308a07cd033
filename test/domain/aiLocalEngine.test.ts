// The local engine: its rules, and that its answers pass the questions' checks for many inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeBff, mentionsShow, type StarSignInput, type TvBffInput } from '../../src/domain/ai/answers.js';
import { localEngine } from '../../src/domain/ai/localEngine.js';
import { showQuipsQuestion, starSignQuestion, tvBffQuestion, validateAnswer } from '../../src/domain/ai/questions.js';
import { genreList, pickOf, quipsInput, rng, SHOWS, star, starInput } from '../support/aiInputs.js';

void test('starSign local engine: valid for many inputs, spread over all 12 signs and all 10 personalities', () => {
  const r = rng(42);
  const signs = new Set<string>();
  const personalities = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const input = starInput(r);
    const out = localEngine.starSign(input);
    const v = validateAnswer(starSignQuestion, input, out);
    assert.ok(v.ok, `${!v.ok ? v.reason : ''} for ${JSON.stringify(input)}`);
    assert.deepEqual(localEngine.starSign(input), out, 'deterministic');
    signs.add(out.starSign.sign);
    personalities.add(out.personality.name);
    assert.ok(!/\d/.test(out.rtScoreQuip), 'RT quip has no digits');
  }
  assert.equal(signs.size, 12, [...signs].join(','));
  assert.equal(personalities.size, 10, [...personalities].join(','));
});

void test('personality rules', () => {
  const p = (i: StarSignInput) => localEngine.starSign(i).personality.name;
  assert.equal(p(star([['Comedy', 60], ['Drama', 40]], 50, 10, 50)), 'Sitcom Sage');
  assert.equal(p(star([['Documentary', 60]], 50, 10, 50)), 'Documentary Detective');
  assert.equal(p(star([['Reality', 60]], 50, 10, 50)), 'Reality Royalty');
  assert.equal(p(star([['Mystery', 60]], 50, 10, 50)), 'Crime Connoisseur');
  assert.equal(p(star([['Sci-Fi & Fantasy', 60]], 50, 10, 100)), 'Escape Artist');
  assert.equal(p(star([['Sci-Fi & Fantasy', 60]], 50, 10, 20)), 'The Daydreamer');
  assert.equal(p(star([['Action & Adventure', 60]], 50, 10, 50)), 'The Adventurer');
  assert.equal(p(star([['Soap', 60]], 50, 10, 50)), 'The Hopeless Romantic');
  assert.equal(p(star([['Animation', 60]], 50, 10, 50)), 'The Party Starter');
  assert.equal(p(star([['Drama', 60], ['Crime', 40]], 85, 10, 50)), 'The Philosopher');
  // Drama without high critical taste defers to the next genre
  assert.equal(p(star([['Drama', 60], ['Crime', 40]], 50, 10, 50)), 'Crime Connoisseur');
  assert.equal(p(star([['Drama', 100]], 50, 10, 50)), 'The Hopeless Romantic');
  assert.equal(p(star([], null, 0, 0)), 'The Daydreamer');
});

void test('star sign = element of the top non-Drama genre × modality from binge and RT band', () => {
  const s = (i: StarSignInput) => localEngine.starSign(i).starSign.sign;
  // binge ≥ 10 episodes/show → fixed
  assert.equal(s(star([['Drama', 50], ['Action & Adventure', 30]], 50, 10, 200)), 'Leo');
  // Certified Fresh, light binge → cardinal
  assert.equal(s(star([['Documentary', 50]], 80, 10, 30)), 'Capricorn');
  // otherwise mutable
  assert.equal(s(star([['Comedy', 50]], 50, 10, 30)), 'Gemini');
  assert.equal(s(star([['Drama', 100]], null, 10, 30)), 'Pisces');
  assert.equal(s(star([['Crime', 60]], 75, 10, 30)), 'Cancer');
});

void test('showQuips local engine: valid and never names either show', () => {
  const r = rng(7);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const input = quipsInput(r);
    const out = localEngine.showQuips(input);
    const v = validateAnswer(showQuipsQuestion, input, out);
    assert.ok(v.ok, `${!v.ok ? v.reason : ''} for ${JSON.stringify(input)} → ${JSON.stringify(out)}`);
    for (const q of [out.firstShowQuip, out.mostWatchedShowQuip]) {
      assert.ok(q.length <= 140);
      for (const name of [input.firstShow.name, input.mostWatchedShow.name]) {
        assert.equal(mentionsShow(q, name), false, `${q} names ${name}`);
      }
    }
    seen.add(out.firstShowQuip);
  }
  assert.ok(seen.size >= 5, 'quips vary with the input');
});

void test('tvBff local engine picks the most episodes, ties by popularity, and validates', () => {
  const characters = [
    { name: 'Jim Halpert', actor: 'John Krasinski', episodes: 186, popularity: 20, imageUrl: 'https://img/jim.jpg' },
    { name: 'Dwight Schrute', actor: 'Rainn Wilson', episodes: 188, popularity: 10, imageUrl: null },
    { name: 'Michael Scott', actor: 'Steve Carell', episodes: 188, popularity: 30, imageUrl: 'https://img/michael.jpg' },
  ];
  const input: TvBffInput = { show: { name: 'The Office', genres: ['Comedy'] }, characters, topGenres: ['Comedy', 'Drama'] };
  const out = localEngine.tvBff(input);
  assert.equal(out.name, 'Michael Scott');
  assert.ok(validateAnswer(tvBffQuestion, input, out).ok);
  assert.deepEqual(completeBff(out, input), { name: 'Michael Scott', show: 'The Office', quip: out.quip, imageUrl: 'https://img/michael.jpg' });
  // a name not among the characters is rejected; a case/accent variant resolves to the canonical one
  assert.equal(validateAnswer(tvBffQuestion, input, { name: 'Pam Beesly', quip: 'Hi' }).ok, false);
  const loose = validateAnswer(tvBffQuestion, input, { name: 'jim  HALPERT', quip: 'Hi' });
  assert.ok(loose.ok);
  assert.equal(completeBff(loose.ok ? loose.output : out, input).imageUrl, 'https://img/jim.jpg');
  assert.throws(() => localEngine.tvBff({ ...input, characters: [] }));
});

void test('tvBff local engine validates for many inputs', () => {
  const r = rng(99);
  for (let i = 0; i < 500; i++) {
    const n = 1 + Math.floor(r() * 5);
    const characters = Array.from({ length: n }, (_, k) => ({
      name: k === 0 && r() < 0.1 ? 'X'.repeat(150) : `Character ${k} ${pickOf(r, ['Ana', 'José', "O'Brien", 'Zoë'])}`,
      actor: `Actor ${k}`,
      episodes: Math.floor(r() * 50),
      popularity: Math.floor(r() * 100),
      imageUrl: null,
    }));
    const input: TvBffInput = { show: { name: pickOf(r, SHOWS), genres: genreList(r, 2) }, characters, topGenres: genreList(r, Math.floor(r() * 3)) };
    const out = localEngine.tvBff(input);
    const v = validateAnswer(tvBffQuestion, input, out);
    assert.ok(v.ok, `${!v.ok ? v.reason : ''} ${JSON.stringify(out)}`);
  }
});
