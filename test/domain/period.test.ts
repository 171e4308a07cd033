// The year picker's order, and a year's streak across a month's end and a leap day.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CURRENT_YEAR_MIN_EPISODES, buildYearReport, episodesPerYear, orderYears } from '../../src/domain/period.js';

test('years newest first; the current year leads only once it has enough watching', () => {
  assert.deepEqual(orderYears(new Map([[2024, 50], [2026, CURRENT_YEAR_MIN_EPISODES], [2025, 3]]), 2026), [2026, 2025, 2024]);
  assert.deepEqual(orderYears(new Map([[2024, 50], [2026, CURRENT_YEAR_MIN_EPISODES - 1], [2025, 3]]), 2026), [2025, 2024, 2026]);
  assert.deepEqual(orderYears(new Map(), 2026), []);
});

test('distinct episodes per year count a rewatch once in each year it happened', () => {
  const perYear = episodesPerYear([{ showId: 1, showName: 'A', totalEpisodes: 1, posterUrl: null, dates: ['2023-01-01', '2023-05-01', '2024-02-02'] }]);
  assert.deepEqual([...perYear].sort(), [[2023, 1], [2024, 1]]);
});

test('a streak runs over a month end and a leap day, and the earlier of two equal runs wins', () => {
  const dates = ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'];
  const r = buildYearReport({ sessionId: 's', year: 2024, basedOnVersion: 1, genres: new Map(), episodes: dates.map((d, i) => ({ showId: i, showName: 'A', totalEpisodes: 10, posterUrl: null, dates: [d] })) });
  assert.deepEqual(r.longestStreak, { days: 4, from: '2024-02-27', to: '2024-03-01' });
});
