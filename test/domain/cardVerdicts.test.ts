// What a story card may claim: provisional verdicts below their thresholds are "still counting",
// a tiny history tells a short story, quips never repeat the line above them, and no "?" (or
// null, undefined, NaN) ever reaches a card, provisional or final.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cardText } from '../../src/api/share/cardText.js';
import { localEngine } from '../../src/domain/ai/localEngine.js';
import { ALL_CARDS, VERDICT_RULES, cardVerdicts, percent, quipAfter, storyCards, tasteKind, watchedLine } from '../../src/domain/cardVerdicts.js';
import { type CardCoverage, type Report, STORY_CARDS, type StoryCard } from '../../src/domain/report.js';
import { rng, starInput } from '../support/aiInputs.js';

function coverage(done: Partial<Record<StoryCard, number>>, total: number): Record<StoryCard, CardCoverage> {
  return Object.fromEntries(
    STORY_CARDS.map((card) => {
      const d = done[card] ?? total;
      return [card, { complete: d >= total, done: d, total, label: `From ${d} of ${total} shows` }];
    }),
  ) as Record<StoryCard, CardCoverage>;
}

/** demo-1k at a 3 s deadline: 68 shows, 2 of them scored, a tenth of the casts looked up. */
function provisional(over: Partial<Report> = {}): Report {
  return {
    sessionId: 's',
    version: 1,
    final: false,
    generatedAt: '2026-12-07T00:00:00Z',
    coverage: coverage({ rtTaste: 4, crossoverStar: 7, genres: 7, bff: 7, starSign: 4, personality: 4, summary: 4 }, 68),
    firstShow: { name: 'The Copper Ashes', date: '2021-01-10' },
    mostWatchedShow: { name: 'Hawkstead', watched: 393, total: null, summary: 'watched 393 of ? episodes' },
    totalShows: 68,
    totalEpisodes: 1200,
    films: 2,
    topShows: [{ name: 'Hawkstead', episodes: 393, totalEpisodes: null }],
    crossoverStar: { name: 'Barbara Mensah', imageUrl: null, showCount: 2, shows: ['Hawkstead', 'Off-Road'] },
    genres: [{ name: 'Drama', share: 22 }],
    rtScore: { score: 0, band: 'Rotten', showsScored: 2 },
    bff: null,
    starSign: null,
    personality: null,
    firstShowQuip: 'Where it began.',
    mostWatchedShowQuip: 'Home.',
    rtScoreQuip: 'Tough crowd.',
    topGenresQuip: 'Drama, always.',
    aiSources: {},
    dataQuality: { invalidDates: 0, invalidDateSamples: [], showsNotOnTmdb: 0, showsNotOnRt: 0, showsFailed: 0, unresolvedFailures: 0, rtUnavailable: false, crawlComplete: false },
    ...over,
  };
}

const texts = (r: Report) => STORY_CARDS.map((card) => cardText(r, card)).map((t) => [t.eyebrow, t.title, ...t.lines, ...t.bars.map((b) => b.label), t.badge ?? ''].join('\n'));

describe('verdict thresholds', () => {
  test('RT taste from 2 scored shows of 68 is still counting: no number, no band on its card or the summary', () => {
    const r = provisional();
    assert.equal(cardVerdicts(r).rtTaste, false);
    const t = cardText(r, 'rtTaste');
    assert.equal(t.title, 'Still asking the critics');
    assert.ok(!/\d+\s*\/\s*100|Rotten|Cult|average/i.test(t.lines.join(' ')), t.lines.join(' '));
    assert.match(t.lines[0], /4 of 68 shows so far/);
    assert.ok(!cardText(r, 'summary').lines.join(' ').includes('taste'), 'the summary leaves it out too');
  });

  test('RT taste shows from 20 scored shows, or from 30% of the history crawled', () => {
    assert.equal(cardVerdicts(provisional({ rtScore: { score: 40, band: 'Rotten', showsScored: VERDICT_RULES.rtTaste.minScored } })).rtTaste, true);
    assert.equal(cardVerdicts(provisional({ rtScore: { score: 40, band: 'Rotten', showsScored: 19 } })).rtTaste, false);
    assert.equal(cardVerdicts(provisional({ coverage: coverage({ rtTaste: 21 }, 68) })).rtTaste, true, '21 of 68 is over 30%');
    assert.equal(cardVerdicts(provisional({ coverage: coverage({ rtTaste: 20 }, 68) })).rtTaste, false, '20 of 68 is under 30%');
  });

  test('the crossover star waits for half the casts; the star sign and personality for 90% read', () => {
    const r = provisional();
    assert.equal(cardText(r, 'crossoverStar').title, 'Still spotting faces');
    assert.ok(!texts(r).join('\n').includes('Barbara Mensah'), 'the provisional star is named nowhere');
    assert.equal(cardText(provisional({ coverage: coverage({ crossoverStar: 34 }, 68) }), 'crossoverStar').title, 'Barbara Mensah');
    const early = provisional({ starSign: { sign: 'Gemini', quip: 'Two at once.' }, personality: { name: 'Escape Artist', quip: 'Away.' }, coverage: coverage({ starSign: 50, personality: 50 }, 68) });
    assert.deepEqual([cardVerdicts(early).starSign, cardVerdicts(early).personality], [false, false]);
    assert.equal(cardText(early, 'starSign').title, 'Still reading the stars');
    assert.equal(cardText(early, 'personality').title, 'Still taking shape');
    const read = { ...early, coverage: coverage({ starSign: 62, personality: 62 }, 68) };
    assert.equal(cardText(read, 'starSign').title, 'Gemini');
  });

  test('a final report always shows its verdicts, and never a red 0: RT taste reads as a kind of taste', () => {
    const r = provisional({ final: true, coverage: coverage({}, 68), rtScore: { score: 0, band: 'Rotten', showsScored: 2 } });
    assert.deepEqual(Object.values(cardVerdicts(r)), [true, true, true, true, true]);
    const t = cardText(r, 'rtTaste');
    assert.equal(t.title, 'Cult taste');
    assert.ok(!t.title.includes('Rotten') && !t.lines.join(' ').includes('Rotten'));
    assert.deepEqual([0, 34, 35, 54, 55, 74, 75, 100].map((s) => tasteKind(s).name), ['Cult taste', 'Cult taste', 'Your own critic', 'Your own critic', 'Crowd-pleaser', 'Crowd-pleaser', 'Critics’ darling', 'Critics’ darling']);
  });

  test('no "?" (nor null, undefined or NaN) in any card, provisional or final, full or empty', () => {
    const empty = provisional({ totalShows: 0, totalEpisodes: 0, films: 0, firstShow: null, mostWatchedShow: null, topShows: [], crossoverStar: null, genres: [], rtScore: null });
    for (const r of [provisional(), provisional({ final: true, coverage: coverage({}, 68) }), empty, { ...empty, final: true }]) {
      for (const text of texts(r)) assert.ok(!/\?|null|undefined|NaN/.test(text), text);
    }
  });
});

describe('the story a history tells', () => {
  test('the page plays the cards the report names, in its order', () => {
    assert.deepEqual([...ALL_CARDS], [...STORY_CARDS]);
  });

  test('an empty history is one card, a tiny one four, any other all eleven', () => {
    assert.deepEqual(storyCards({ totalShows: 0 }), ['overview']);
    assert.deepEqual(storyCards({ totalShows: 2 }), ['overview', 'firstShow', 'mostWatched', 'summary']);
    assert.deepEqual(storyCards({ totalShows: 3 }), [...STORY_CARDS]);
  });

  test('counts read as people read them', () => {
    assert.equal(watchedLine(393, null), '393 episodes watched');
    assert.equal(watchedLine(1, 0), '1 episode watched');
    assert.equal(watchedLine(42, 226), 'watched 42 of 226 episodes');
    assert.deepEqual([22, 22.5, 9.04, 0.42, 0].map(percent), ['22%', '23%', '9%', '0.4%', '0%']);
    assert.equal(cardText(provisional({ final: true, coverage: coverage({}, 68), genres: [{ name: 'Drama', share: 22 }] }), 'genres').bars[0].label, 'Drama 22%');
  });
});

describe('quips never repeat the line above them', () => {
  test('a call-out of the title is cut; a sentence about it stays; the title alone goes', () => {
    assert.equal(quipAfter('Escape Artist', 'Escape Artist, obviously: any world but this one.'), 'Obviously: any world but this one.');
    assert.equal(quipAfter('The Daydreamer', 'the daydreamer — always elsewhere'), 'Always elsewhere');
    assert.equal(quipAfter('Hawkstead', 'Hawkstead is home.'), 'Hawkstead is home.');
    assert.equal(quipAfter('Gemini', 'Gemini.'), null);
    assert.equal(quipAfter('Gemini', null), null);
    assert.equal(quipAfter('Escape', 'Escape Artist, obviously.'), 'Escape Artist, obviously.', 'only the whole title');
  });

  test('the local engine’s personality and star sign quips, as the cards show them, never open by calling out their title', () => {
    const r = rng(7);
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let cut = 0;
    for (let i = 0; i < 500; i++) {
      const out = localEngine.starSign(starInput(r));
      const report = provisional({ final: true, coverage: coverage({}, 68), starSign: out.starSign, personality: out.personality });
      for (const card of ['starSign', 'personality'] as const) {
        const t = cardText(report, card);
        const quip = t.lines[0] ?? '';
        assert.ok(quip.length > 0, `${card}: "${t.title}" lost its quip`);
        assert.ok(!new RegExp(`^${escape(t.title)}\\s*[,:;.!—–-]`, 'i').test(quip), `${card}: "${t.title}" then "${quip}"`);
        if (quip !== (card === 'starSign' ? out.starSign.quip : out.personality.quip)) cut++;
      }
    }
    assert.ok(cut > 0, 'some quips were cut (the engine does call titles out)');
  });
});
