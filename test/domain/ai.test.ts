import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completeBff,
  localEngine,
  mentionsRtScore,
  mentionsShow,
  PERSONALITIES,
  questions,
  STAR_SIGNS,
  starSignQuestion,
  showQuipsQuestion,
  tvBffQuestion,
  validateAnswer,
  type ShowQuipsInput,
  type StarSignInput,
  type TvBffInput,
} from '../../src/domain/ai.js';

// Deterministic pseudo-random generator so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}
const GENRES = [
  'Drama', 'Comedy', 'Crime', 'Documentary', 'Reality', 'Mystery', 'Sci-Fi & Fantasy', 'Action & Adventure',
  'Romance', 'Soap', 'Talk', 'Animation', 'Family', 'Kids', 'News', 'War & Politics', 'Western', 'Polka',
];
const SHOWS = [
  'Stranger Things', 'You', 'Lost', 'The Office (U.S.)', 'Dark', 'Love', 'Friends', 'Ozark', 'Money Heist',
  'The Crown', 'Drama', 'Fresh', 'Episode', 'Chef', 'Grey\'s Anatomy', 'Pokémon', 'A', '1899', 'Comedy',
  'Bridgerton', 'Couch', 'Every Single One of the Episodes and Then Some More Words to Make a Really Long Name for Testing',
];
function pickOf<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}
function genreList(r: () => number, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(pickOf(r, GENRES));
  return [...out];
}

function starInput(r: () => number): StarSignInput {
  const names = genreList(r, Math.floor(r() * 6));
  const weights = names.map(() => r() + 0.01);
  const total = weights.reduce((a, b) => a + b, 0);
  const rtScore = r() < 0.2 ? null : Math.round(r() * 10000) / 100;
  const totalShows = 1 + Math.floor(r() * 60);
  return {
    genres: names.map((name, i) => ({ name, share: Math.round((weights[i] / total) * 10000) / 100 })),
    rtScore,
    rtBand: rtScore === null ? null : rtScore < 40 ? 'Rotten' : rtScore < 70 ? 'Fresh' : 'Certified Fresh',
    totalShows,
    totalEpisodes: totalShows * (1 + Math.floor(r() * 20)),
    films: Math.floor(r() * 30),
    topShows: [pickOf(r, SHOWS), pickOf(r, SHOWS), pickOf(r, SHOWS)],
  };
}

void test('questions expose a function-tool definition with a JSON schema', () => {
  for (const q of Object.values(questions)) {
    assert.match(q.name, /^[a-z_]+$/);
    assert.equal(q.parameters.type, 'object');
    assert.equal('$schema' in q.parameters, false);
  }
  const props = starSignQuestion.parameters.properties as Record<string, { properties: Record<string, { enum?: string[]; maxLength?: number }> }>;
  assert.deepEqual(props.starSign.properties.sign.enum, [...STAR_SIGNS]);
  assert.deepEqual(props.personality.properties.name.enum, [...PERSONALITIES]);
  assert.equal(props.starSign.properties.quip.maxLength, 140);
});

void test('constants: 12 signs, the 10 DESIGN personalities', () => {
  assert.equal(new Set(STAR_SIGNS).size, 12);
  assert.deepEqual([...PERSONALITIES], [
    'Sitcom Sage', 'Documentary Detective', 'Reality Royalty', 'Crime Connoisseur', 'Escape Artist',
    'The Adventurer', 'The Hopeless Romantic', 'The Daydreamer', 'The Philosopher', 'The Party Starter',
  ]);
});

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

function star(genres: [string, number][], rtScore: number | null, totalShows: number, totalEpisodes: number): StarSignInput {
  return {
    genres: genres.map(([name, share]) => ({ name, share })),
    rtScore,
    rtBand: null,
    totalShows,
    totalEpisodes,
    films: 0,
    topShows: [],
  };
}

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

function quipsInput(r: () => number): ShowQuipsInput {
  const watched = 1 + Math.floor(r() * 80);
  return {
    firstShow: {
      name: pickOf(r, SHOWS),
      genres: genreList(r, Math.floor(r() * 3)),
      firstAirYear: r() < 0.5 ? 1990 + Math.floor(r() * 34) : null,
      firstWatched: r() < 0.7 ? `20${10 + Math.floor(r() * 14)}-0${1 + Math.floor(r() * 9)}-15` : undefined,
    },
    mostWatchedShow: {
      name: pickOf(r, SHOWS),
      genres: genreList(r, Math.floor(r() * 3)),
      watched,
      total: r() < 0.1 ? 0 : watched + Math.floor(r() * 40),
    },
  };
}

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

void test('prompts carry the facts', () => {
  const input: TvBffInput = {
    show: { name: 'Dark', genres: ['Drama'] },
    characters: [{ name: 'Jonas Kahnwald', actor: 'Louis Hofmann', episodes: 26, popularity: 12, imageUrl: null }],
    topGenres: ['Drama', 'Mystery'],
  };
  const prompt = tvBffQuestion.buildPrompt(input);
  assert.match(prompt, /Jonas Kahnwald/);
  assert.match(prompt, /Drama, Mystery/);
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
