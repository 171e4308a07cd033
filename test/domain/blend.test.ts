// The Blend's numbers, worked out by hand for two small sides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BlendSide, blendFacts } from '../../src/domain/blend.js';
import { localBlendLine } from '../../src/domain/ai/blendLine.js';

const show = (showId: number, name: string, episodes: number, rtScore: number | null = null) => ({ showId, name, episodes, posterUrl: null, rtScore });
const A: BlendSide = {
  shows: [show(1, 'Harbour', 10, 90), show(2, 'Bakery', 5), show(3, 'Orbit', 2)],
  genreShares: new Map([['Drama', 50], ['Comedy', 50]]),
  rtTaste: 80,
};
const B: BlendSide = {
  shows: [show(4, 'Fields', 8, 70), show(1, 'Harbour', 4), show(2, 'Bakery', 1)],
  genreShares: new Map([['Drama', 25], ['Crime', 75]]),
  rtTaste: 60,
};

test('the score: 40% genre overlap, 40% shared episodes against the smaller history, 20% RT closeness', () => {
  const f = blendFacts('b', A, B);
  // Genres: min(50, 25) for Drama, nothing else in common.
  assert.equal(f.parts.genres, 25);
  // Shared: min(10, 4) + min(5, 1) = 5 of B's 13 episodes.
  assert.equal(f.parts.sharedShows, 38.46);
  assert.equal(f.parts.rtTaste, 80);
  assert.equal(f.matchScore, Math.round(0.4 * 25 + 0.4 * 38.46 + 0.2 * 80));
  assert.equal(f.matchScore, 41);
  // The same whichever side invited.
  assert.equal(blendFacts('b', B, A).matchScore, 41);
});

test('shared shows by the episodes both watched; each shows the other what they never watched', () => {
  const f = blendFacts('b', A, B);
  assert.deepEqual(f.sharedShows.map((s) => s.name), ['Harbour', 'Bakery']);
  assert.equal(f.aShowsB?.name, 'Orbit');
  assert.equal(f.bShowsA?.name, 'Fields');
  assert.equal(blendFacts('b', A, A).aShowsB, null, 'nothing to swap between the same histories');
  assert.equal(blendFacts('b', A, A).matchScore, 100);
});

test('no RT taste on one side counts as halfway; no history on one side shares nothing', () => {
  const f = blendFacts('b', A, { ...B, rtTaste: null });
  assert.equal(f.parts.rtTaste, 50);
  const empty = blendFacts('b', A, { shows: [], genreShares: new Map(), rtTaste: null });
  assert.deepEqual([empty.parts.genres, empty.parts.sharedShows, empty.sharedShows.length], [0, 0, 0]);
});

test("the local engine's line names what the two share and stays within 140 characters", () => {
  const line = localBlendLine({ matchScore: 41, sharedShows: ['Harbour'], genresA: ['Drama'], genresB: ['Crime'] }).line;
  assert.match(line, /Harbour is your common ground/);
  assert.ok(localBlendLine({ matchScore: 90, sharedShows: ['x'.repeat(200)], genresA: [], genresB: [] }).line.length <= 140);
});
