// The story images: every card of a full, a provisional and an empty report renders as a 1080×1920
// PNG, and no text runs outside its box. Each card is rendered twice, with its text and with every
// glyph transparent; the pixels that differ are text, and none may lie in the margins or in the gap
// between the content and the footer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CARD_COLOURS } from '../../src/api/share/cardColours.js';
import { type CardText, cardText } from '../../src/api/share/cardText.js';
import { STORY_FOOTER, STORY_HEIGHT, STORY_MARGIN, STORY_WIDTH, renderStoryPixels, renderStoryPng } from '../../src/api/share/storyImage.js';
import { readFileSync } from 'node:fs';
import { STORY_CARDS, type StoryCard } from '../../src/domain/report.js';
import { sampleReport } from '../../scripts/screens.js';

function pngSize(png: Buffer) {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Rows and columns where text was drawn outside the content box and the footer band. */
function strayText(withText: Buffer, withoutText: Buffer): { x: number; y: number }[] {
  const stray: { x: number; y: number }[] = [];
  const footerTop = STORY_HEIGHT - STORY_MARGIN - STORY_FOOTER;
  const gapTop = footerTop - 48;
  for (let y = 0; y < STORY_HEIGHT; y++) {
    for (let x = 0; x < STORY_WIDTH; x++) {
      const inMargin = x < STORY_MARGIN || x >= STORY_WIDTH - STORY_MARGIN || y < STORY_MARGIN || y >= STORY_HEIGHT - STORY_MARGIN;
      const inGap = y >= gapTop && y < footerTop;
      if (!inMargin && !inGap) continue;
      const i = (y * STORY_WIDTH + x) * 4;
      if (Math.abs(withText[i] - withoutText[i]) + Math.abs(withText[i + 1] - withoutText[i + 1]) + Math.abs(withText[i + 2] - withoutText[i + 2]) > 30) stray.push({ x, y });
    }
  }
  return stray;
}

const long = 'Every Single One of the Episodes and Then Some More Words to Make a Really Long Name';
const reports = {
  final: sampleReport(false),
  provisional: sampleReport(true),
  empty: { ...sampleReport(false), totalShows: 0, totalEpisodes: 0, films: 0, firstShow: null, mostWatchedShow: null, topShows: [], crossoverStar: null, genres: [], rtScore: null, bff: null, starSign: null, personality: null },
  long: {
    ...sampleReport(false),
    firstShow: { name: long, date: '2021-01-10' },
    mostWatchedShow: { name: long, watched: 12345, total: 23456, summary: '' },
    crossoverStar: { name: 'Maximiliana Oluwaseun-Castellanos de la Vega', imageUrl: null, showCount: 14, shows: [long, long, long, long, long] },
    genres: ['Action & Adventure', 'War & Politics', 'Sci-Fi & Fantasy', 'Documentary', 'Reality'].map((name, i) => ({ name, share: 30 - i * 5 })),
    firstShowQuip: 'x '.repeat(200),
    mostWatchedShowQuip: 'A very long quip that goes on and on about how much you loved this show, again and again. '.repeat(3),
  },
};

describe('story images', () => {
  test('each card renders at 1080×1920 in its own colours, and the summary poster too', async () => {
    for (const card of STORY_CARDS) assert.deepEqual(pngSize(await renderStoryPng(card, cardText(reports.final, card))), { width: 1080, height: 1920 }, card);
  });

  for (const [name, report] of Object.entries(reports)) {
    test(`no text runs outside its box: ${name} report`, async () => {
      for (const card of STORY_CARDS) {
        const text: CardText = cardText(report, card);
        const { withText, withoutText } = await renderStoryPixels(card, text);
        const stray = strayText(withText, withoutText);
        assert.deepEqual(stray.slice(0, 3), [], `${card}: text in the margins at ${JSON.stringify(stray.slice(0, 3))} (${stray.length} pixels)`);
        assert.ok(!withText.equals(withoutText), `${card} drew some text`);
      }
    });
  }

  test('the images use the page’s colours for each card (styles.css)', () => {
    const css = readFileSync('src/api/web/styles.css', 'utf8');
    for (const card of STORY_CARDS) {
      const c = CARD_COLOURS[card as StoryCard];
      if (typeof c.background !== 'string') continue;
      const rule = new RegExp(`\\.card-${card} \\{ --card-bg: (#[0-9a-f]{6}); --card-accent: (#[0-9a-f]{6}); \\}`).exec(css);
      assert.ok(rule, `styles.css has .card-${card}'s palette`);
      assert.deepEqual([rule[1], rule[2]], [c.background, c.accent], card);
    }
  });
});
