// Each card's coverage, and the CLI's version-to-version diff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, formatReportChanges } from '../../src/cli/format.js';
import { type Report, STORY_CARDS, cardCoverage } from '../../src/domain/report.js';

const counts = { total: 341, showData: 300, crawl: 212, episodes: 2310, final: false, hasBff: false, hasStarSign: false };

test('a provisional version: the history cards are complete; the others say what they were drawn from', () => {
  const c = cardCoverage(counts);
  assert.deepEqual(Object.keys(c), [...STORY_CARDS]);
  for (const card of ['overview', 'firstShow', 'mostWatched', 'topShows'] as const) assert.equal(c[card].complete, true, card);
  assert.deepEqual(c.rtTaste, { complete: false, done: 212, total: 341, label: 'RT taste from 212 of 341 shows' });
  assert.equal(c.genres.label, 'Genres from 300 of 341 shows');
  assert.equal(c.crossoverStar.done, 300);
  // The reading goes as fast as the slower of show data and crawl.
  assert.deepEqual(c.starSign, { complete: false, done: 212, total: 341, label: 'The stars are still reading: 212 of 341 shows so far' });
  assert.equal(c.bff.complete, false);
  assert.match(c.bff.label, /once show data is in: 300 of 341/);
  assert.equal(c.summary.complete, false);
});

test('the final version: complete where everything is in; a BFF-less history says why', () => {
  const c = cardCoverage({ ...counts, showData: 341, crawl: 341, final: true, hasStarSign: true });
  for (const card of STORY_CARDS) assert.equal(c[card].complete, true, card);
  assert.equal(c.bff.label, 'No show with a cast to pick from');
  // A straggler past the 97% gate leaves RT taste short of complete, and says so.
  const straggling = cardCoverage({ ...counts, showData: 341, crawl: 335, final: true, hasStarSign: true, hasBff: true });
  assert.equal(straggling.rtTaste.complete, false);
  assert.equal(straggling.rtTaste.label, 'RT taste from 335 of 341 shows');
});

test('RT taste counts outcomes as they are: unread shows apart, and a service slowing us down said so', () => {
  // Issue 23: 17 shows, 11 dead-lettered after RT refused them, 5 scored, 1 not on RT. It said "17 of 17".
  const c = cardCoverage({ ...counts, total: 17, showData: 17, crawl: 17, crawlFailed: 11, final: true, hasStarSign: true, hasBff: true });
  assert.deepEqual(c.rtTaste, { complete: true, done: 17, total: 17, label: 'RT taste from 6 of 17 shows; 11 could not be read' });
  const slowed = cardCoverage({ ...counts, total: 17, showData: 17, crawl: 9, throttled: ['rt'] });
  assert.equal(slowed.rtTaste.label, 'RT taste from 9 of 17 shows; Rotten Tomatoes is slowing us down, the rest follow at its pace');
  assert.equal(slowed.rtTaste.complete, false);
});

const base = {
  sessionId: 's',
  version: 1,
  final: false,
  generatedAt: '2026-12-03T00:00:00Z',
  coverage: cardCoverage(counts),
  firstShow: { name: 'Lost', date: '2015-01-02' },
  mostWatchedShow: { name: 'Lost', watched: 40, total: 121, summary: 'watched 40 of 121 episodes' },
  totalShows: 341,
  totalEpisodes: 2310,
  films: 3,
  topShows: [{ name: 'Lost', episodes: 40, totalEpisodes: 121 }],
  crossoverStar: null,
  genres: [{ name: 'Drama', share: 60 }],
  rtScore: { score: 71, band: 'fresh', showsScored: 212 },
  bff: null,
  starSign: null,
  personality: null,
  firstShowQuip: 'q1',
  mostWatchedShowQuip: 'q2',
  rtScoreQuip: null,
  topGenresQuip: null,
  aiSources: {},
  dataQuality: { invalidDates: 0, invalidDateSamples: [], showsNotOnTmdb: 0, showsNotOnRt: 0, showsFailed: 0, unresolvedFailures: 0, rtUnavailable: false, crawlComplete: false },
} satisfies Report;

test('the CLI prints a provisional report with its version and coverage, then only what the final one changed', () => {
  const text = formatReport(base);
  assert.match(text, /Your TV report \(v1, provisional\)/);
  assert.match(text, /Coverage: .*RT taste from 212 of 341 shows/);
  const final: Report = { ...base, version: 3, final: true, coverage: cardCoverage({ ...counts, showData: 341, crawl: 341, final: true, hasStarSign: true }), rtScore: { score: 74, band: 'fresh', showsScored: 330 }, starSign: { sign: 'Leo', quip: 'roar' } };
  const changes = formatReportChanges(base, final).split('\n');
  assert.equal(changes[0], '── Changes from v1 to v3 ──');
  assert.ok(changes.includes('RT taste: 71 (fresh) → 74 (fresh)'), changes.join('\n'));
  assert.ok(changes.includes('Star sign: – → Leo: roar'));
  assert.ok(changes.some((l) => l.startsWith('Coverage: ') && l.endsWith('→ –')), 'the coverage note goes once all is in');
  assert.ok(!changes.some((l) => l.startsWith('First show')), 'unchanged lines are left out');
  assert.equal(formatReportChanges(final, final).split('\n')[1], '(unchanged)');
});
