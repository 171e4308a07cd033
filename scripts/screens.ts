// `npm run screens`: screenshots of every story card at phone size (390×844) into docs/screens/,
// and each card's 1080×1920 story image beside them, the pictures README shows. The real page files
// are served beside a one-session API that answers with a sample final report, and Debian's
// Chromium (playwright-core) plays it card by card.
// The year picker with a year's cards and a finished Blend are pictured too (year*.png, blend*.png),
// with the year's and the Blend's story images (story-year-*, story-blend-*).
// Options: --out <dir> (default docs/screens), --provisional (a provisional report instead),
// --desktop (1280×900 instead of a phone).
import express from 'express';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { securityHeaders } from '../src/api/protection/middleware.js';
import { cardText } from '../src/api/share/cardText.js';
import { renderStoryPng } from '../src/api/share/storyImage.js';
import { SESSION_STATES } from '../src/contracts/index.js';
import { type CardCoverage, type Report, STORY_CARDS } from '../src/domain/report.js';
import { YEAR_CARDS, type YearReport, yearCardText } from '../src/domain/period.js';
import { BLEND_CARDS, type BlendReport } from '../src/contracts/blend.js';
import { blendCardText } from '../src/api/blend/blendCards.js';
import { blendView } from '../src/api/blend/blendRouter.js';
import { yearCardShareText } from '../src/api/share/yearShare.js';

const WEB_DIR = fileURLToPath(new URL('../src/api/web/', import.meta.url));
const FONT_DIR = path.dirname(createRequire(import.meta.url).resolve('@fontsource/inter/files/inter-latin-400-normal.woff2'));
const SESSION = 'screens-demo';
/** The sample's posters: TMDB is not reached from here, so the page is handed a drawn one (a show without one keeps its monogram). */
const POSTERS = 'https://image.tmdb.org/t/p/w500';
const POSTER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300"><defs><linearGradient id="g" x2="0" y2="1"><stop offset="0" stop-color="#f4b860"/><stop offset="1" stop-color="#3a1f5d"/></linearGradient></defs><rect width="200" height="300" fill="url(#g)"/><circle cx="100" cy="120" r="46" fill="#fff3"/></svg>';

export function sampleReport(provisional = false): Report {
  const total = 68;
  const coverage = Object.fromEntries(
    STORY_CARDS.map((card) => {
      const partial = provisional && !['overview', 'firstShow', 'mostWatched', 'topShows'].includes(card);
      const done = partial ? 9 : total;
      return [card, { complete: !partial, done, total, label: partial ? `From ${done} of ${total} shows so far` : `From all ${total} shows` } satisfies CardCoverage];
    }),
  ) as Record<(typeof STORY_CARDS)[number], CardCoverage>;
  return {
    sessionId: SESSION,
    version: provisional ? 1 : 2,
    final: !provisional,
    generatedAt: '2026-12-07T10:00:00.000Z',
    coverage,
    firstShow: { name: 'The Copper Ashes', date: '2021-01-10', posterUrl: null },
    mostWatchedShow: { name: 'Hawkstead', watched: 42, total: 226, summary: 'watched 42 of 226 episodes', posterUrl: `${POSTERS}/hawkstead.jpg` },
    totalShows: total,
    totalEpisodes: 1184,
    films: 12,
    topShows: [
      { name: 'Hawkstead', episodes: 42, totalEpisodes: 226, posterUrl: `${POSTERS}/hawkstead.jpg` },
      { name: 'Off-Road', episodes: 30, totalEpisodes: 40, posterUrl: `${POSTERS}/off-road.jpg` },
      { name: 'Glass Harbour', episodes: 22, totalEpisodes: 22, posterUrl: null },
    ],
    crossoverStar: { name: 'Barbara Mensah', imageUrl: null, showCount: 5, shows: ['Hawkstead', 'Off-Road', 'Glass Harbour', 'Pine Hollow', 'Static'] },
    genres: [
      { name: 'Drama', share: 22 },
      { name: 'Sci-Fi & Fantasy', share: 14 },
      { name: 'Crime', share: 12 },
      { name: 'Comedy', share: 9 },
      { name: 'Mystery', share: 7 },
    ],
    rtScore: { score: 26, band: 'Rotten', showsScored: provisional ? 6 : 52, critics: { mean: 48.3, shows: provisional ? 5 : 47 }, audience: { mean: 74.1, shows: provisional ? 6 : 51 } },
    bff: { name: 'Noah Scott', show: 'Off-Road', quip: 'He would drive you anywhere, snacks included.', imageUrl: null },
    starSign: { sign: 'Gemini', quip: 'Two shows at once, always, and both of them on a cliffhanger.' },
    personality: { name: 'Escape Artist', quip: 'Escape Artist, obviously: any world but this one will do.' },
    firstShowQuip: 'Where the ashes first glowed.',
    mostWatchedShowQuip: 'Hawkstead is home.',
    rtScoreQuip: 'You find the gems before anyone hands out medals.',
    topGenresQuip: 'Drama first, dragons close behind.',
    aiSources: {},
    dataQuality: { invalidDates: 0, invalidDateSamples: [], showsNotOnTmdb: 1, showsNotOnRt: 8, showsFailed: 0, unresolvedFailures: 0, rtUnavailable: false, crawlComplete: !provisional },
  };
}

/** A sample year beside the sample report: what the year picker shows for 2025. */
export function sampleYear(): YearReport {
  return {
    kind: 'year',
    sessionId: SESSION,
    year: 2025,
    basedOnVersion: 3,
    generatedAt: '2026-01-02T10:00:00.000Z',
    totalShows: 14,
    totalEpisodes: 212,
    daysWatched: 131,
    mostWatchedShow: { name: 'Off-Road', episodes: 30, posterUrl: null, month: 3, monthName: 'March' },
    topMonth: { month: 3, monthName: 'March', episodes: 41 },
    longestStreak: { days: 9, from: '2025-03-02', to: '2025-03-10' },
    newShows: { count: 6, top: [{ name: 'Off-Road', episodes: 30, posterUrl: null }, { name: 'Pine Hollow', episodes: 18, posterUrl: null }] },
    oldFavourites: { count: 8, top: [{ name: 'Hawkstead', episodes: 26, posterUrl: null }] },
    versusAllTime: {
      episodeShare: 31.5,
      allTimeMostWatched: 'Hawkstead',
      genres: [
        { name: 'Crime', yearShare: 24.5, allTimeShare: 12 },
        { name: 'Drama', yearShare: 20, allTimeShare: 22 },
        { name: 'Comedy', yearShare: 11, allTimeShare: 9 },
      ],
      risingGenre: 'Crime',
    },
  };
}

/** A sample finished Blend, as viewer A reads it. */
export function sampleBlend(): BlendReport {
  return {
    blendId: 'screensBlend0000000000',
    generatedAt: '2026-01-02T10:00:00.000Z',
    matchScore: 68,
    parts: { genres: 74.5, sharedShows: 52.25, rtTaste: 86.1 },
    sharedShows: [
      { name: 'Hawkstead', posterUrl: null },
      { name: 'Glass Harbour', posterUrl: null },
      { name: 'Static', posterUrl: null },
    ],
    aShowsB: { name: 'Off-Road', posterUrl: null },
    bShowsA: { name: 'The Quiet Orchard', posterUrl: null },
    line: 'You bring the thrillers, they bring the snacks: a sofa alliance for the ages.',
    lineSource: 'llm',
  };
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screens' }, provisional: { type: 'boolean', default: false }, desktop: { type: 'boolean', default: false } } });
  const report = sampleReport(values.provisional);
  const app = express();
  app.use(securityHeaders());
  app.get('/session-states.js', (_req, res) => {
    res.type('text/javascript').send(`window.SESSION_STATES = Object.freeze(${JSON.stringify(Object.fromEntries(SESSION_STATES.map((s) => [s, s])))});\n`);
  });
  app.use(express.static(WEB_DIR));
  app.use('/fonts', express.static(FONT_DIR));
  app.get('/api/demo-keys', (_req, res) => void res.json([]));
  app.get(`/api/sessions/${SESSION}/events`, (_req, res) => {
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(`event: report\ndata: ${JSON.stringify({ version: report.version, final: report.final })}\n\n`);
    if (report.final) res.end(`event: done\ndata: ${JSON.stringify({ state: 'COMPLETED', failureReason: null })}\n\n`);
  });
  const year = sampleYear();
  const blend = sampleBlend();
  const blendRow = { id: blend.blendId, session_a: SESSION, session_b: 'screens-friend', state: 'COMPLETED', failure_reason: null, report: blend, created_at: new Date(blend.generatedAt), completed_at: new Date(blend.generatedAt) };
  app.get(`/api/sessions/${SESSION}/report`, (req, res) =>
    void res.json(req.query.year ? { ...year, cards: YEAR_CARDS.map((card) => ({ card, ...yearCardText(year, card) })) } : report),
  );
  app.get(`/api/sessions/${SESSION}/years`, (_req, res) => void res.json({ years: [2025, 2024, 2023] }));
  app.get(`/api/sessions/${SESSION}/blends`, (_req, res) => void res.json({ blends: [{ blendId: blend.blendId, state: 'COMPLETED' }], invitations: [] }));
  app.get(`/api/sessions/${SESSION}/blends/${blend.blendId}`, (_req, res) => void res.json(blendView(blendRow, SESSION)));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const viewport = values.desktop ? { width: 1280, height: 900 } : { width: 390, height: 844 };
    const page = await browser.newPage({ viewport, reducedMotion: 'reduce', hasTouch: !values.desktop, isMobile: !values.desktop });
    await page.route(`${POSTERS}/**`, (route) => route.fulfill({ contentType: 'image/svg+xml', body: POSTER_SVG }));
    await page.goto(`${base}/?session=${SESSION}`);
    await page.locator(`#report[data-version="${report.version}"]`).waitFor({ state: 'visible' });
    await page.evaluate(() => document.fonts.ready);
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
    await mkdir(values.out, { recursive: true });
    const suffix = `${values.provisional ? '-provisional' : ''}${values.desktop ? '-desktop' : ''}`;
    for (const [i, card] of STORY_CARDS.entries()) {
      // A provisional run pictures only the cards still counting (the rest look as in the final).
      if (report.coverage[card].complete === false ? false : values.provisional) continue;
      await page.evaluate((n) => (document.querySelectorAll('.segment')[n] as HTMLElement).click(), i);
      await page.locator(`#stories[data-current="${card}"]`).waitFor();
      const file = path.join(values.out, `${String(i + 1).padStart(2, '0')}-${card}${suffix}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      if (!values.desktop && !values.provisional) {
        const image = path.join(values.out, `story-${String(i + 1).padStart(2, '0')}-${card}${suffix}.png`);
        await writeFile(image, await renderStoryPng(card, cardText(report, card)));
        console.log(image);
      }
    }
    // The year picker on 2025, and the Blend: each section on its own (as in the final report).
    if (values.provisional) return;
    await page.getByRole('button', { name: '2025', exact: true }).click();
    await page.locator('#year-cards li').nth(5).waitFor();
    await page.locator('.blend-result li').nth(3).waitFor();
    const desktop = values.desktop ? '-desktop' : '';
    // The report scrolls inside its own full-screen shell: a tall window shows each section whole.
    await page.setViewportSize({ width: viewport.width, height: 3000 });
    for (const [section, name] of [['#year-section', 'year'], ['#blend-section', 'blend']] as const) {
      const file = path.join(values.out, `${name}${desktop}.png`);
      await page.locator(section).screenshot({ path: file });
      console.log(file);
    }
    if (!values.desktop) {
      for (const [i, card] of YEAR_CARDS.entries()) {
        const file = path.join(values.out, `story-year-${i + 1}-${card}.png`);
        const text = yearCardShareText(yearCardText(year, card), card);
        await writeFile(file, await renderStoryPng(text.card, text));
        console.log(file);
      }
      for (const [i, card] of BLEND_CARDS.entries()) {
        const file = path.join(values.out, `story-blend-${i + 1}-${card}.png`);
        const text = blendCardText(blend, card);
        await writeFile(file, await renderStoryPng(text.card, text));
        console.log(file);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
