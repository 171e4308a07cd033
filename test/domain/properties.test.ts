// Property tests: the title and date parsers hold their rules for generated inputs, not just examples.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGandalfDate } from '../../src/domain/dates.js';
import { parseNetflixTitle } from '../../src/domain/titles.js';

// Words that can't be mistaken for a season-like segment; names may contain colons.
const word = fc.stringMatching(/^[A-Za-zÀ-ÿ'&!?]{1,10}$/).filter((w) => !/^(season|series|part|volume|vol|book|chapter|collection|miniseries|limited)$/i.test(w));
const phrase = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const withColons = fc.array(phrase, { minLength: 1, maxLength: 3 }).map((p) => p.join(': '));
const label = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((n) => `Season ${n}`),
  fc.integer({ min: 1, max: 9 }).map((n) => `Part ${n}`),
  fc.integer({ min: 1, max: 9 }).map((n) => `Volume ${n}`),
  fc.constantFrom('Limited Series', 'Collection', 'Book One', 'Book Two'),
);

test('show: season: episode round-trips, whatever colons the show name and episode title hold', () => {
  fc.assert(
    fc.property(withColons, label, withColons, (show, season, episode) => {
      const parsed = parseNetflixTitle(`${show}: ${season}: ${episode}`);
      assert.equal(parsed.kind, 'episode');
      if (parsed.kind !== 'episode') return;
      assert.equal(parsed.show, show);
      assert.equal(parsed.season, season);
      assert.equal(parsed.episode, episode);
    }),
    { numRuns: 500, seed: 42 },
  );
});

test('a title without a season-like segment is a film, and parsing never throws on non-empty text', () => {
  fc.assert(
    fc.property(withColons, (title) => {
      const parsed = parseNetflixTitle(title);
      assert.equal(parsed.kind, 'film');
    }),
    { numRuns: 300, seed: 7 },
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim().length > 0), (raw) => {
      parseNetflixTitle(raw);
    }),
    { numRuns: 500, seed: 9 },
  );
});

test('every real calendar date round-trips month-first; impossible ones are reported, never guessed', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString().slice(0, 10);
      const [y, m, day] = iso.split('-').map(Number);
      assert.deepEqual(parseGandalfDate(`${m}/${day}/${y}`), { ok: true, date: iso });
    }),
    { numRuns: 500, seed: 1 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 40 }), (y, m, day) => {
      const real = new Date(Date.UTC(y, m - 1, day)).getUTCMonth() === m - 1;
      const result = parseGandalfDate(`${m}/${day}/${y}`);
      assert.equal(result.ok, real);
    }),
    { numRuns: 500, seed: 2 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 13, max: 31 }), fc.integer({ min: 1, max: 12 }), (first, second) => {
      // Day-first would make sense of 13/5/2023; month-first must refuse, not swap.
      assert.equal(parseGandalfDate(`${first}/${second}/2023`).ok, false);
    }),
    { numRuns: 200, seed: 3 },
  );
  fc.assert(fc.property(fc.string(), (s) => void parseGandalfDate(s)), { numRuns: 500, seed: 4 });
});
