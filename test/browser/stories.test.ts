// The viewer's report as stories, in a real (headless) Chromium.
//
// Most tests serve the real page files (with the product's security headers, so its CSP applies)
// next to a crafted API in this process: a provisional report, then a final one announced over a real
// server-sent event stream, share links, an image and a QR hand-off, all under the test's control, so
// what the page does is checked independently of how fast a session runs. The last test runs a real
// session on the whole stack, with a report deadline of a second and a slow crawl, and watches the
// provisional stories upgrade in place to the final ones.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import express from 'express';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { securityHeaders } from '../../src/api/protection/middleware.js';
import { SESSION_STATES, type SessionProgress } from '../../src/contracts/index.js';
import { tasteKind } from '../../src/domain/cardVerdicts.js';
import { type CardCoverage, type Report, STORY_CARDS, type StoryCard } from '../../src/domain/report.js';
import { launchChromium } from '../support/browser.js';
import { startTestStack } from '../support/stack.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const WEB_DIR = fileURLToPath(new URL('../../src/api/web/', import.meta.url));
const FONT_DIR = fileURLToPath(new URL('../../node_modules/@fontsource/inter/files/', import.meta.url));

let browser: Browser;

before(async () => {
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

// ---------- crafted reports ----------

const SESSION = 'sess-stories-1';
const HOSTILE_NAME = '<img src=x onerror="window.pwned=1">The Copper Ashes';

function coverage(done: number, total: number, labels: Partial<Record<StoryCard, string>>, complete: (card: StoryCard) => boolean): Record<StoryCard, CardCoverage> {
  return Object.fromEntries(
    STORY_CARDS.map((card) => [card, { complete: complete(card), done, total, label: labels[card] ?? `From all ${total} shows` }]),
  ) as Record<StoryCard, CardCoverage>;
}

const HISTORY_CARDS: StoryCard[] = ['overview', 'firstShow', 'mostWatched', 'topShows'];

function baseReport(): Omit<Report, 'version' | 'final' | 'coverage'> {
  return {
    sessionId: SESSION,
    generatedAt: '2026-12-03T08:00:00.000Z',
    firstShow: { name: HOSTILE_NAME, date: '2021-01-10' },
    mostWatchedShow: { name: 'Hawkstead', watched: 42, total: 226, summary: 'watched 42 of 226 episodes' },
    totalShows: 28,
    totalEpisodes: 310,
    films: 4,
    topShows: [
      { name: 'Hawkstead', episodes: 42, totalEpisodes: 226 },
      { name: 'Off-Road', episodes: 30, totalEpisodes: 40 },
      { name: 'Glass Harbour', episodes: 22, totalEpisodes: 22 },
    ],
    crossoverStar: { name: 'Barbara Mensah', imageUrl: null, showCount: 3, shows: ['Hawkstead', 'Off-Road', 'Glass Harbour'] },
    genres: [{ name: 'Drama', share: 22.5 }, { name: 'Crime', share: 12 }],
    rtScore: { score: 48.2, band: 'Fresh', showsScored: 8 },
    bff: { name: 'Noah Scott', show: 'Off-Road', quip: 'Always up for a road trip.', imageUrl: null },
    starSign: null,
    personality: null,
    firstShowQuip: 'Where it all started.',
    mostWatchedShowQuip: 'A comfort rewatch.',
    rtScoreQuip: 'You like what you like.',
    topGenresQuip: 'Drama, always.',
    aiSources: {},
    dataQuality: {
      invalidDates: 0,
      invalidDateSamples: [],
      showsNotOnTmdb: 0,
      showsNotOnRt: 2,
      showsFailed: 0,
      unresolvedFailures: 0,
      rtUnavailable: false,
      crawlComplete: false,
    },
  };
}

/** Version 1, provisional: the history cards are complete, the rest counted over 12 (or 8) of 28 shows. */
function provisionalReport(): Report {
  return {
    ...baseReport(),
    version: 1,
    final: false,
    coverage: coverage(
      8,
      28,
      {
        crossoverStar: 'Crossover star from 12 of 28 shows',
        genres: 'Genres from 12 of 28 shows',
        rtTaste: 'RT taste from 8 of 28 shows',
        bff: 'Picked from 12 of 28 shows',
        starSign: 'The stars are still reading: 8 of 28 shows so far',
        personality: 'The stars are still reading: 8 of 28 shows so far',
        summary: 'Still improving: 8 of 28 shows enriched and crawled',
      },
      (card) => HISTORY_CARDS.includes(card),
    ),
  };
}

/** Version 2, final: a new crossover star, RT taste, star sign and personality; the rest as before. */
function finalReport(): Report {
  const base = baseReport();
  return {
    ...base,
    version: 2,
    final: true,
    generatedAt: '2026-12-03T08:01:00.000Z',
    crossoverStar: { name: 'Idris Vale', imageUrl: null, showCount: 5, shows: ['Hawkstead', 'Off-Road', 'Glass Harbour', 'Pine Hollow', 'Static'] },
    rtScore: { score: 71.4, band: 'Certified Fresh', showsScored: 25 },
    starSign: { sign: 'Gemini', quip: 'Two shows at once, always.' },
    personality: { name: 'Escape Artist', quip: 'Any world but this one.' },
    dataQuality: { ...base.dataQuality, crawlComplete: true },
    coverage: coverage(28, 28, { summary: 'Everything is in: 28 of 28 shows' }, () => true),
  };
}

/** The cards version 2 changes, and those it leaves alone. */
// (Genres too: 8 of 28 shows looked up is below its threshold, so version 1 shows it still counting.)
const CHANGED_IN_V2: StoryCard[] = ['crossoverStar', 'genres', 'rtTaste', 'starSign', 'personality', 'summary'];
const SAME_IN_V2: StoryCard[] = ['overview', 'firstShow', 'mostWatched', 'topShows', 'bff'];

function progress(state: string, report: Report | null): SessionProgress {
  const stage = (percent: number) => ({ total: 28, done: Math.round((percent / 100) * 28), failed: 0, percent, complete: percent >= 100 });
  return {
    sessionId: SESSION,
    state: state as SessionProgress['state'],
    percent: report?.final ? 100 : 64,
    etaSeconds: 20,
    elapsedSeconds: 90,
    runs: 1,
    report: report ? { version: report.version, final: report.final } : null,
    stages: {
      fetch: { ...stage(100), activities: 400 },
      showData: stage(43),
      crawl: stage(29),
      quips: stage(100),
      bff: stage(100),
      starSign: stage(0),
    },
  };
}

// ---------- the crafted API ----------

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** A QR-ish SVG that also tries to run a script: as an <img> it must never run. */
const QR_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="29" height="29" viewBox="0 0 29 29"><script>window.pwned = 1</script><path d="M0 0h7v7H0zM22 0h7v7h-7zM0 22h7v7H0z"/></svg>';

interface FakeApi {
  base: string;
  /** What the API serves now: the session's state, its report versions (latest last), the stream's status. */
  state: { session: string; versions: Report[] | [LegacyReport]; eventsStatus: number; handoffTtlMs?: number };
  requests: string[];
  /** Sends an event to every open stream. */
  emit(event: string, data: unknown): void;
  streams(): number;
  close(): Promise<void>;
}

/** A report stored before versions existed: no version, final or coverage. */
type LegacyReport = Omit<Report, 'version' | 'final' | 'coverage'>;

async function startFakeApi(initial: FakeApi['state']): Promise<FakeApi> {
  const app = express();
  const streams = new Set<ServerResponse>();
  const requests: string[] = [];
  const state = initial;
  let base = '';
  const latest = () => state.versions.at(-1) ?? null;
  const ref = () => {
    const r = latest() as Partial<Report> | null;
    return r ? { version: r.version ?? 1, final: r.final ?? true } : null;
  };
  const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

  app.use(securityHeaders());
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.originalUrl}`);
    next();
  });
  app.get('/session-states.js', (_req, res) => {
    res.type('text/javascript').send(`window.SESSION_STATES = Object.freeze(${JSON.stringify(Object.fromEntries(SESSION_STATES.map((s) => [s, s])))});\n`);
  });
  app.use(express.static(WEB_DIR));
  app.use('/fonts', express.static(FONT_DIR));
  app.get('/api/demo-keys', (_req, res) => void res.json([]));
  app.get(`/api/sessions/${SESSION}/events`, (_req, res) => {
    if (state.eventsStatus !== 200) {
      res.status(state.eventsStatus).json({ error: { code: 'unavailable', message: 'stream unavailable' } });
      return;
    }
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    res.write('retry: 60000\n\n');
    const r = latest();
    if (state.session === 'COMPLETED' || state.session === 'FAILED') {
      if (r) res.write(frame('report', ref()));
      res.end(frame('done', { state: state.session, failureReason: null }));
      return;
    }
    res.write(frame('progress', progress(state.session, r as Report | null)));
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  app.get(`/api/sessions/${SESSION}`, (_req, res) => {
    const done = state.session === 'COMPLETED' || state.session === 'FAILED';
    res.json({ sessionId: SESSION, state: state.session, failureReason: null, progress: done ? null : progress(state.session, latest() as Report | null) });
  });
  app.get(`/api/sessions/${SESSION}/report`, (req, res) => {
    const wanted = req.query.version ? Number(req.query.version) : undefined;
    const r = wanted ? state.versions.find((v) => (v as Partial<Report>).version === wanted) : latest();
    if (!r) {
      res.status(409).json({ error: { code: 'not_ready', message: 'The report is not ready yet' } });
      return;
    }
    res.json(r);
  });
  app.post(`/api/sessions/${SESSION}/share-links`, (_req, res) => {
    if (!latest()) {
      res.status(409).json({ error: { code: 'not_ready', message: 'not ready' } });
      return;
    }
    res.json({ links: Object.fromEntries(STORY_CARDS.map((card) => [card, { url: `${base}/share/tok-${card}`, imageUrl: `${base}/share/tok-${card}/image.png` }])) });
  });
  app.delete(`/api/sessions/${SESSION}/share-links`, (_req, res) => void res.json({ revoked: true }));
  app.get(['/share/:token/image.png', '/share/:token/story.png'], (req, res) => {
    if (req.query.download === '1') res.set('content-disposition', `attachment; filename="showprint-${req.params.token}.png"`);
    res.type('image/png').send(PNG);
  });
  app.post(`/api/sessions/${SESSION}/handoff`, (_req, res) => {
    res.json({ url: `${base}/?session=${SESSION}#viewer=spv1.handoff-token`, qrSvg: QR_SVG, expiresAt: new Date(Date.now() + (state.handoffTtlMs ?? 10 * 60_000)).toISOString() });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    state,
    requests,
    emit: (event, data) => {
      for (const res of streams) res.write(frame(event, data));
    },
    streams: () => streams.size,
    close: async () => {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------- page helpers ----------

async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  (page as Page & { jsErrors: string[] }).jsErrors = errors;
  return page;
}

const jsErrors = (page: Page) => (page as Page & { jsErrors: string[] }).jsErrors;
const currentCard = (page: Page) => page.locator('#stories').getAttribute('data-current');
const card = (page: Page, kind: string) => page.locator(`[data-card="${kind}"]`);

async function waitForCurrent(page: Page, kind: string, timeout = 5000) {
  await page.locator(`#stories[data-current="${kind}"]`).waitFor({ state: 'attached', timeout });
}

/** The cards' "Updated" marks that are showing. */
async function updatedCards(page: Page): Promise<string[]> {
  return page.locator('[data-card]').evaluateAll((els) =>
    els.filter((e) => !(e.querySelector('.updated-badge') as HTMLElement).hidden).map((e) => e.getAttribute('data-card') ?? ''));
}

async function updatedSegments(page: Page): Promise<string[]> {
  return page.locator('.segment.is-updated').evaluateAll((els) => els.map((e) => e.getAttribute('data-for') ?? ''));
}

/** Each card's coverage badge: its text when shown, null when hidden. */
async function badges(page: Page): Promise<Record<string, string | null>> {
  return page.locator('[data-card]').evaluateAll((els) => Object.fromEntries(els.map((e) => {
    const badge = e.querySelector('.coverage-badge') as HTMLElement;
    return [e.getAttribute('data-card'), badge.hidden ? null : badge.textContent];
  })));
}

// ---------- tests against the crafted API ----------

test('provisional stories: coverage badges, keyboard and segment navigation, then the final version upgrades the cards in place', async () => {
  const api = await startFakeApi({ session: 'PROVISIONAL_REPORT_READY', versions: [provisionalReport()], eventsStatus: 200 });
  const page = await newPage();
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-version="1"][data-final="false"]').waitFor({ state: 'visible' });
    assert.deepEqual(await page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card'))), [...STORY_CARDS]);
    assert.match(await page.locator('#report-improving').innerText(), /Still improving/);

    // One card on screen: the first; the others are inert (out of the tab order and the accessibility tree).
    assert.equal(await currentCard(page), 'overview');
    const states = await page.locator('[data-card]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-card'), (e as HTMLElement).inert, getComputedStyle(e).opacity]));
    assert.deepEqual(states.filter(([, inert]) => !inert).map(([kind]) => kind), ['overview']);
    assert.ok(states.every(([kind, , opacity]) => (kind === 'overview' ? opacity === '1' : opacity === '0')), JSON.stringify(states));

    // Coverage badges on the provisional cards only, saying what the API said.
    const v1 = provisionalReport();
    const expected = Object.fromEntries(STORY_CARDS.map((c) => [c, v1.coverage[c].complete ? null : v1.coverage[c].label]));
    assert.deepEqual(await badges(page), expected);

    // Report text is text: the hostile show name is shown as written and runs nothing.
    assert.equal(await card(page, 'firstShow').locator('.card-title').textContent(), HOSTILE_NAME);
    assert.equal(await card(page, 'firstShow').locator('img').count(), 0);
    // The star sign is not read yet: its card says so, with how far the reading has got.
    assert.match(await card(page, 'starSign').innerText(), /still aligning/i);

    // Reduced motion: the stories wait for the viewer (documented in stories.js), even with a short card time.
    await page.locator('#stories').evaluate((e) => e.setAttribute('data-card-ms', '300'));
    assert.equal(await page.locator('#story-toggle').getAttribute('aria-label'), 'Play stories');
    await page.waitForTimeout(1000);
    assert.equal(await currentCard(page), 'overview', 'no auto-advance under reduced motion');
    await page.locator('#stories').evaluate((e) => e.setAttribute('data-card-ms', '600000'));

    // Keyboard: arrows move one card, at the ends they stay; Space plays and pauses.
    await page.keyboard.press('ArrowLeft');
    assert.equal(await currentCard(page), 'overview');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await currentCard(page), 'topShows');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await currentCard(page), 'mostWatched');
    assert.match(await page.locator('#story-live').textContent() ?? '', /Card 3 of 11: Most watched\. Hawkstead/);
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#story-toggle').getAttribute('aria-label'), 'Pause stories');
    assert.equal(await page.locator('#stories').getAttribute('data-playing'), 'true');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#story-toggle').getAttribute('aria-label'), 'Play stories');
    // The buttons and the segments move too; a segment says which card it opens.
    await page.getByRole('button', { name: 'Next card' }).click();
    assert.equal(await currentCard(page), 'topShows');
    const segment = page.getByRole('button', { name: 'Card 5 of 11: Crossover star' });
    await segment.click();
    await waitForCurrent(page, 'crossoverStar');
    assert.equal(await segment.getAttribute('aria-current'), 'step');
    assert.equal(await card(page, 'crossoverStar').locator('.coverage-badge').innerText(), 'Crossover star from 12 of 28 shows');
    await page.screenshot({ path: new URL('stories-provisional-crafted.png', ARTIFACTS).pathname });

    // The final version arrives over the stream while the viewer is on card 5.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const reportFetches = () => api.requests.filter((r) => r.startsWith(`GET /api/sessions/${SESSION}/report`)).length;
    const fetchesBefore = reportFetches();
    api.state.versions = [provisionalReport(), finalReport()];
    api.state.session = 'COMPLETED';
    api.emit('report', { version: 2, final: true });
    await page.locator('#report[data-version="2"][data-final="true"]').waitFor({ state: 'attached' });
    api.emit('done', { state: 'COMPLETED', failureReason: null });

    assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 42, 'no reload');
    assert.equal(await currentCard(page), 'crossoverStar', 'the card on screen did not move');
    assert.equal(await page.locator('#stories').getAttribute('data-index'), '4');
    assert.equal(await card(page, 'crossoverStar').locator('.card-title').innerText(), 'Idris Vale', 'it shows the new content in place');
    assert.ok(reportFetches() > fetchesBefore);

    // Changed cards are marked; unchanged ones are not. Off-screen changes wait on their segment.
    assert.deepEqual((await updatedCards(page)).sort(), [...CHANGED_IN_V2].sort());
    assert.deepEqual((await updatedSegments(page)).sort(), [...CHANGED_IN_V2].sort());
    assert.equal(await card(page, 'crossoverStar').locator('.updated-badge').isVisible(), true);
    for (const kind of SAME_IN_V2) assert.equal(await card(page, kind).locator('.updated-badge').isHidden(), true, kind);
    assert.equal(await page.getByRole('button', { name: 'Card 7 of 11: Critics’ taste, updated', exact: true }).count(), 1, 'the segment says so');
    // Final: no coverage badges, no "still improving".
    assert.deepEqual(Object.values(await badges(page)).filter((b) => b !== null), []);
    await page.locator('#report-improving').waitFor({ state: 'hidden' });
    assert.match(await page.locator('#report-status').textContent() ?? '', /Your report is complete\. 6 cards changed: Crossover star, Genre mix, Critics’ taste, Star sign, Personality, Summary\./);
    await page.screenshot({ path: new URL('stories-final-crafted.png', ARTIFACTS).pathname });

    // The mark fades a few seconds after its card has been seen; an unseen one keeps its dot.
    await page.getByRole('button', { name: /Card 9 of 11: Star sign/ }).click();
    assert.match(await card(page, 'starSign').innerText(), /Gemini/);
    assert.equal(await card(page, 'starSign').locator('.updated-badge').isVisible(), true);
    await card(page, 'crossoverStar').locator('.updated-badge').waitFor({ state: 'hidden', timeout: 8000 });
    await card(page, 'starSign').locator('.updated-badge').waitFor({ state: 'hidden', timeout: 8000 });
    assert.deepEqual((await updatedSegments(page)).sort(), ['genres', 'personality', 'rtTaste', 'summary']);
    assert.deepEqual(jsErrors(page), []);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('auto-advance, pause and resume, hold to pause, swipe and tap on a touch screen; a report from before versions plays as final', async () => {
  // Stored before versions existed: no version, final or coverage.
  const { version: _v, final: _f, coverage: _c, ...legacy } = finalReport();
  const api = await startFakeApi({ session: 'COMPLETED', versions: [legacy], eventsStatus: 200 });
  const page = await newPage({ viewport: { width: 390, height: 844 }, reducedMotion: 'no-preference', hasTouch: true, isMobile: true });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-version="1"][data-final="true"]').waitFor({ state: 'visible' });
    assert.deepEqual(Object.values(await badges(page)).filter((b) => b !== null), [], 'no coverage, no badges');
    assert.equal(await page.locator('#report-improving').isHidden(), true);
    assert.equal(await page.locator('#story-toggle').getAttribute('aria-label'), 'Pause stories', 'plays by itself');

    // Auto-advance (a short card time for the test).
    await page.locator('#stories').evaluate((e) => e.setAttribute('data-card-ms', '700'));
    await waitForCurrent(page, 'firstShow', 3000);
    await waitForCurrent(page, 'mostWatched', 3000);

    // Pause: nothing moves; resume: it moves on.
    await page.getByRole('button', { name: 'Pause stories' }).click();
    const paused = await currentCard(page);
    await page.waitForTimeout(1800);
    assert.equal(await currentCard(page), paused, 'paused');
    await page.getByRole('button', { name: 'Play stories' }).click();
    await page.waitForFunction((was) => document.getElementById('stories')?.dataset.current !== was, paused, { timeout: 3000 });

    // Hold a finger on the card: the story holds still; let go and it goes on.
    const cdp = await page.context().newCDPSession(page);
    const box = (await page.locator('#cards').boundingBox())!;
    const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })) });
    await touch('touchStart', [mid]);
    const held = await currentCard(page);
    assert.equal(await page.locator('#stories').getAttribute('data-playing'), 'false');
    await page.waitForTimeout(1800);
    assert.equal(await currentCard(page), held, 'held still');
    await touch('touchEnd', []);
    assert.equal(await page.locator('#stories').getAttribute('data-playing'), 'true');
    await page.getByRole('button', { name: 'Pause stories' }).click();

    // Swipe left: the next card; swipe right: back.
    const at = STORY_CARDS.indexOf((await currentCard(page)) as StoryCard);
    const swipe = async (fromX: number, toX: number) => {
      await touch('touchStart', [{ x: fromX, y: mid.y }]);
      for (let i = 1; i <= 6; i++) await touch('touchMove', [{ x: fromX + ((toX - fromX) * i) / 6, y: mid.y + i }]);
      await touch('touchEnd', []);
    };
    await swipe(box.x + box.width * 0.8, box.x + box.width * 0.2);
    assert.equal(await currentCard(page), STORY_CARDS[at + 1]);
    await swipe(box.x + box.width * 0.2, box.x + box.width * 0.8);
    assert.equal(await currentCard(page), STORY_CARDS[at]);
    // Tap on the right: forward; on the left third: back.
    await page.touchscreen.tap(box.x + box.width * 0.85, mid.y);
    assert.equal(await currentCard(page), STORY_CARDS[at + 1]);
    await page.touchscreen.tap(box.x + box.width * 0.1, mid.y);
    assert.equal(await currentCard(page), STORY_CARDS[at]);

    // The last card ends the story; Play starts it over.
    await page.getByRole('button', { name: 'Card 11 of 11: Summary' }).click();
    assert.match(await card(page, 'summary').innerText(), /You’re an Escape Artist/);
    await page.getByRole('button', { name: 'Play stories' }).click();
    await page.getByRole('button', { name: 'Play stories' }).waitFor({ timeout: 3000 });
    assert.equal(await currentCard(page), 'summary');
    await page.getByRole('button', { name: 'Play stories' }).click();
    assert.equal(await currentCard(page), 'overview');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no sideways scrolling at 390 px');
    await page.screenshot({ path: new URL('stories-mobile-crafted.png', ARTIFACTS).pathname });
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('holding the mouse pauses too; a new version while paused changes nothing but the cards', async () => {
  const api = await startFakeApi({ session: 'PROVISIONAL_REPORT_READY', versions: [provisionalReport()], eventsStatus: 200 });
  const page = await newPage({ reducedMotion: 'no-preference' });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-version="1"]').waitFor({ state: 'visible' });
    await page.locator('#stories').evaluate((e) => e.setAttribute('data-card-ms', '600'));
    await waitForCurrent(page, 'firstShow', 3000);
    const box = (await card(page, 'firstShow').locator('.card-title').boundingBox())!;
    await page.mouse.move(box.x + 10, box.y + box.height / 2);
    await page.mouse.down();
    const held = await currentCard(page);
    await page.waitForTimeout(1500);
    assert.equal(await currentCard(page), held, 'held still while the button is down');
    // A version lands meanwhile: the held card stays.
    api.state.versions = [provisionalReport(), finalReport()];
    api.emit('report', { version: 2, final: true });
    await page.locator('#report[data-version="2"]').waitFor({ state: 'attached' });
    assert.equal(await currentCard(page), held);
    await page.mouse.up();
    await page.waitForFunction((was) => document.getElementById('stories')?.dataset.current !== was, held, { timeout: 3000 });
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('without the event stream the page polls, and still upgrades the provisional stories in place', async () => {
  const api = await startFakeApi({ session: 'PROVISIONAL_REPORT_READY', versions: [provisionalReport()], eventsStatus: 503 });
  const page = await newPage();
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-version="1"][data-final="false"]').waitFor({ state: 'visible' });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    api.state.versions = [provisionalReport(), finalReport()];
    api.state.session = 'COMPLETED';
    await page.locator('#report[data-version="2"][data-final="true"]').waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await currentCard(page), 'mostWatched');
    assert.ok(api.requests.some((r) => r === `GET /api/sessions/${SESSION}`), 'it asked for the session');
    assert.deepEqual((await updatedSegments(page)).sort(), [...CHANGED_IN_V2].sort());
    assert.equal(await page.locator('#report-improving').isHidden(), true);
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('share a card (copy and popover, or the share sheet), download its image, revoke the links, continue on a phone', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
  const page = await newPage({ acceptDownloads: true });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.base });
  // No share sheet here (desktop Linux has none): the page copies the link instead.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'share', { value: undefined, configurable: true });
  });
  const shareLinkPosts = () => api.requests.filter((r) => r === `POST /api/sessions/${SESSION}/share-links`).length;
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Card 3 of 11: Most watched' }).click();
    const most = card(page, 'mostWatched');
    assert.equal(shareLinkPosts(), 0, 'no share links before the viewer asks');

    await most.getByRole('button', { name: 'Share the Most watched card' }).click();
    const popover = most.getByRole('dialog', { name: 'Share the Most watched card' });
    await popover.waitFor();
    assert.equal(await popover.locator('.share-popover-title').innerText(), 'Link copied');
    const url = `${api.base}/share/tok-mostWatched`;
    assert.equal(await popover.getByRole('textbox', { name: 'Share link' }).inputValue(), url);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    assert.equal(await popover.getByRole('link', { name: 'Open link' }).getAttribute('href'), url);
    assert.equal(shareLinkPosts(), 1);
    await page.screenshot({ path: new URL('stories-share-popover-crafted.png', ARTIFACTS).pathname });
    // The story holds still while the popover is open; Escape closes it and gives the focus back.
    assert.equal(await page.locator('#stories').getAttribute('data-playing'), 'false');
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Share the Most watched card');

    // Download: the card's story image (what people post) with ?download=1, as a real download.
    const download = most.getByRole('link', { name: 'Download image of the Most watched card' });
    assert.equal(await download.getAttribute('href'), `${api.base}/share/tok-mostWatched/story.png?download=1`);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.match(file.suggestedFilename(), /\.png$/);
    assert.ok(api.requests.includes('GET /share/tok-mostWatched/story.png?download=1'));
    // Another card's Share uses the links already made.
    await page.keyboard.press('ArrowRight');
    await card(page, 'topShows').getByRole('button', { name: /^Share/ }).click();
    assert.equal(await card(page, 'topShows').getByRole('textbox').inputValue(), `${api.base}/share/tok-topShows`);
    assert.equal(shareLinkPosts(), 1);

    // Revoke: one DELETE, the viewer is told, the old links are gone from the page; sharing again makes new ones.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke share links' }).click();
    await page.locator('#share-result').filter({ hasText: 'not found' }).waitFor();
    assert.ok(api.requests.includes(`DELETE /api/sessions/${SESSION}/share-links`));
    assert.equal(await card(page, 'topShows').locator('.share-popover').isHidden(), true);
    // (The card is off screen now, out of the accessibility tree: found by its markup.)
    assert.equal(await most.locator('a[data-action="download"]').getAttribute('href'), '#');
    await card(page, 'topShows').getByRole('button', { name: /^Share/ }).click();
    await card(page, 'topShows').getByRole('textbox').waitFor();
    assert.equal(shareLinkPosts(), 2);
    await page.keyboard.press('Escape');

    // Continue on your phone: the QR code as an image (its script never runs), the link and when it expires.
    await page.getByRole('button', { name: 'Continue on your phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Continue on your phone' });
    await dialog.waitFor();
    const qr = dialog.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    await page.waitForFunction(() => (document.getElementById('handoff-qr') as HTMLImageElement).naturalWidth > 0);
    assert.equal(await dialog.getByRole('link').innerText(), `${api.base}/?session=${SESSION}#viewer=spv1.handoff-token`);
    assert.match(await dialog.locator('#handoff-expiry').innerText(), /works until .+ \(about 10 minutes\)/);
    await page.screenshot({ path: new URL('stories-handoff-crafted.png', ARTIFACTS).pathname });
    await page.keyboard.press('ArrowRight');
    assert.equal(await currentCard(page), 'topShows', 'keys stay in the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'handoff-button');
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('where there is a share sheet, Share opens it with the card link', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
  const page = await newPage();
  // A stand-in share sheet that records what it was given (a string: tsx would wrap a function's inner functions in a helper the page lacks).
  await page.addInitScript(`
    window.shared = [];
    Object.defineProperty(Navigator.prototype, 'share', { value: async (data) => { window.shared.push(data); }, configurable: true });
  `);
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Card 9 of 11: Star sign' }).click();
    await card(page, 'starSign').getByRole('button', { name: /^Share/ }).click();
    await page.waitForFunction(() => (window as unknown as { shared: unknown[] }).shared.length === 1);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { shared: unknown[] }).shared), [
      { title: 'Star sign: Gemini · showprint', url: `${api.base}/share/tok-starSign` },
    ]);
    assert.equal(await card(page, 'starSign').locator('.share-popover').isHidden(), true, 'no popover when the sheet opened');
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('where the browser shares files, Share hands the sheet the card’s story image as a PNG', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
  const page = await newPage();
  await page.addInitScript(`
    window.shared = [];
    Object.defineProperty(Navigator.prototype, 'canShare', { value: (data) => Array.isArray(data.files) && data.files.every((f) => f.type === 'image/png'), configurable: true });
    Object.defineProperty(Navigator.prototype, 'share', { value: async (data) => {
      const files = await Promise.all((data.files || []).map(async (f) => ({ name: f.name, type: f.type, size: f.size, head: Array.from(new Uint8Array(await f.slice(1, 4).arrayBuffer())) })));
      window.shared.push({ title: data.title, text: data.text, url: data.url, files });
    }, configurable: true });
  `);
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Card 9 of 11: Star sign' }).click();
    await card(page, 'starSign').getByRole('button', { name: /^Share/ }).click();
    await page.waitForFunction(() => (window as unknown as { shared: unknown[] }).shared.length === 1);
    const [shared] = await page.evaluate(() => (window as unknown as { shared: { files: { name: string; type: string; size: number; head: number[] }[] }[] }).shared);
    assert.deepEqual(shared, {
      title: 'Star sign: Gemini · showprint',
      text: `${api.base}/share/tok-starSign`,
      url: undefined,
      files: [{ name: 'showprint-starSign.png', type: 'image/png', size: PNG.length, head: [...Buffer.from('PNG')] }],
    });
    assert.ok(api.requests.includes('GET /share/tok-starSign/story.png'), 'the story image, not the link preview');
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('a hand-off link that lasts 30 days says so by the day, not by the clock', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200, handoffTtlMs: 30 * 24 * 3600_000 });
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Continue on your phone' }).click();
    const expiry = page.locator('#handoff-expiry');
    await expiry.filter({ hasText: /works/ }).waitFor();
    assert.match(await expiry.innerText(), /^The code works for 30 days, until [A-Z][a-z]+ \d{1,2}\.$/);
    assert.ok(!/hour|:\d\d/.test(await expiry.innerText()));
  } finally {
    await page.context().close();
    await api.close();
  }
});

// ---------- honest provisional cards, the player at two sizes, accessibility ----------

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

/** axe-core's violations on the page as it is (its script injected; the context bypasses CSP for it). */
async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, only ? { resultTypes: ['violations'], runOnly: only } : { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }, rules ?? null);
  return violations;
}

/** Every card's text, on screen or not. */
const allCardText = (page: Page) => page.locator('[data-card]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-card')}: ${e.textContent}`));

test('below their thresholds, RT taste, the crossover star and the star sign are still counting; no "?" anywhere; the upgrade moves nothing; "See what changed" walks the changes', async () => {
  const api = await startFakeApi({ session: 'PROVISIONAL_REPORT_READY', versions: [provisionalReport()], eventsStatus: 200 });
  const page = await newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-version="1"]').waitFor({ state: 'visible' });
    // The provisional cards (badges, rings, the note in place of Share) meet AA too, and axe finds nothing else.
    for (const [i, kind] of STORY_CARDS.entries()) {
      await page.locator('.segment').nth(i).click();
      await waitForCurrent(page, kind);
      assert.deepEqual(await axeViolations(page, i === 0 ? undefined : ['color-contrast']), [], kind);
    }
    // 8 scored shows of 28 (29% crawled), casts of 8 of 28 shows, no sign yet: no verdict on any of them.
    const rt = await card(page, 'rtTaste').textContent();
    assert.match(rt ?? '', /Still asking the critics/);
    assert.match(rt ?? '', /Still counting\. Critics’ scores read: 8 of 28 shows so far\./);
    assert.ok(!/48|Fresh|average/.test(rt ?? ''), rt ?? '');
    assert.match((await card(page, 'crossoverStar').textContent()) ?? '', /Still spotting faces.*Still counting/);
    assert.ok(!(await allCardText(page)).join('\n').includes('Barbara Mensah'), 'the provisional star is named nowhere');
    assert.match((await card(page, 'starSign').textContent()) ?? '', /still aligning.*Still counting/i);
    assert.ok(!(await card(page, 'summary').textContent())?.includes('Fresh'));
    for (const text of await allCardText(page)) assert.ok(!text.includes('?'), text);
    // Provisional cards are not shared: a note holds the buttons' place.
    assert.equal(await card(page, 'overview').getByRole('button', { name: /^Share/ }).count(), 0);
    assert.equal(await card(page, 'overview').locator('.share-wait').isVisible(), true);

    // The final version lands while card 5 is on screen: the card does not move by a pixel.
    await page.getByRole('button', { name: 'Card 5 of 11: Crossover star' }).click();
    await page.evaluate(() => {
      const w = window as unknown as { shift: number };
      w.shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) if (!e.hadRecentInput) w.shift += e.value;
      }).observe({ type: 'layout-shift' });
    });
    const before = await card(page, 'crossoverStar').boundingBox();
    const titleBefore = await page.locator('#report-title').boundingBox();
    api.state.versions = [provisionalReport(), finalReport()];
    api.state.session = 'COMPLETED';
    api.emit('report', { version: 2, final: true });
    await page.locator('#report[data-version="2"]').waitFor({ state: 'attached' });
    await page.locator('#see-changes').waitFor({ state: 'visible' });
    await page.waitForTimeout(500);
    assert.deepEqual(await card(page, 'crossoverStar').boundingBox(), before, 'the card on screen stayed put');
    assert.deepEqual(await page.locator('#report-title').boundingBox(), titleBefore);
    assert.equal(await page.evaluate(() => (window as unknown as { shift: number }).shift), 0, 'no layout shift');
    for (const text of await allCardText(page)) assert.ok(!text.includes('?'), text);
    assert.match((await card(page, 'rtTaste').textContent()) ?? '', /Crowd-pleaser.*71 taste score/);

    // "See what changed": one card after another, in story order.
    const see = page.locator('#see-changes');
    assert.equal(await see.innerText(), 'See what changed (6 cards)');
    const visited: string[] = [];
    for (let i = 0; i < CHANGED_IN_V2.length; i++) {
      await see.click();
      visited.push((await currentCard(page)) ?? '');
    }
    assert.deepEqual(visited, CHANGED_IN_V2);
    assert.equal(await see.getAttribute('aria-disabled'), 'true');
    assert.equal(await card(page, 'summary').getByRole('button', { name: /^Share/ }).isVisible(), true, 'final cards share');
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

/** A poster TMDB would serve: an SVG, so the screenshots show a picture, not a pixel. */
const POSTER_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300"><defs><linearGradient id="g" x2="0" y2="1"><stop offset="0" stop-color="#f4b860"/><stop offset="1" stop-color="#3a1f5d"/></linearGradient></defs><rect width="200" height="300" fill="url(#g)"/><circle cx="100" cy="120" r="46" fill="#fff3"/></svg>';
const TMDB_IMAGES = 'https://image.tmdb.org/t/p/w500';

test('show cards draw the report’s posters with alt text, the designed monogram when there is none or it fails to load; RT taste sets critics against audience', async () => {
  const report = finalReport();
  report.mostWatchedShow = { ...report.mostWatchedShow!, posterUrl: `${TMDB_IMAGES}/hawkstead.jpg` };
  report.topShows = [
    { ...report.topShows[0], posterUrl: `${TMDB_IMAGES}/hawkstead.jpg` },
    { ...report.topShows[1], posterUrl: `${TMDB_IMAGES}/gone.jpg` },
    { ...report.topShows[2], posterUrl: null },
  ];
  report.rtScore = { ...report.rtScore!, critics: { mean: 76.4, shows: 23 }, audience: { mean: 63.2, shows: 25 } };
  const api = await startFakeApi({ session: 'COMPLETED', versions: [report], eventsStatus: 200 });
  const page = await newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const asked: string[] = [];
  await page.route(`${TMDB_IMAGES}/**`, (route) => {
    asked.push(route.request().url());
    return route.request().url().endsWith('/gone.jpg') ? route.fulfill({ status: 404 }) : route.fulfill({ contentType: 'image/svg+xml', body: POSTER_SVG });
  });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    const poster = (kind: string, within = '.card-hero') => card(page, kind).locator(`${within} .poster`);

    // A poster in the report: the picture, described, and the monogram's label gone with the fallback.
    await poster('mostWatched').and(page.locator(':not(.is-fallback)')).waitFor({ state: 'attached' });
    assert.equal(await poster('mostWatched').locator('img').getAttribute('alt'), 'Poster of Hawkstead');
    assert.equal(await poster('mostWatched').locator('img').getAttribute('src'), `${TMDB_IMAGES}/hawkstead.jpg`);
    assert.equal(await poster('mostWatched').getAttribute('role'), null);
    // None in the report (the first show): the monogram, labelled as the poster, no image asked for.
    assert.equal(await poster('firstShow').locator('img').count(), 0);
    assert.equal(await poster('firstShow').getAttribute('role'), 'img');
    assert.equal(await poster('firstShow').getAttribute('aria-label'), `Poster of ${HOSTILE_NAME}`);
    // The top 3: a poster, one that fails to load (the monogram stays), none.
    const podium = (place: number) => card(page, 'topShows').locator(`.place-${place} .poster`);
    await podium(1).and(page.locator(':not(.is-fallback)')).waitFor({ state: 'attached' });
    assert.equal(await podium(1).locator('img').getAttribute('alt'), 'Poster of Hawkstead');
    await podium(2).locator('img').waitFor({ state: 'detached' });
    for (const [place, name, monogram] of [[2, 'Off-Road', 'OF'], [3, 'Glass Harbour', 'GH']] as const) {
      assert.equal(await podium(place).getAttribute('class'), 'poster is-fallback podium-poster');
      assert.equal(await podium(place).getAttribute('aria-label'), `Poster of ${name}`);
      assert.equal(await podium(place).locator('.poster-name').textContent(), monogram);
    }
    assert.deepEqual([...new Set(asked)].sort(), [`${TMDB_IMAGES}/gone.jpg`, `${TMDB_IMAGES}/hawkstead.jpg`]);

    // Critics against audience: both means, rounded, each with how many shows it covers.
    const sides = await card(page, 'rtTaste').locator('.versus-side').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(sides, ['CRITICS 76 23 shows', 'AUDIENCE 63 25 shows']);

    const changed = ['firstShow', 'mostWatched', 'topShows', 'rtTaste'];
    for (const [i, kind] of STORY_CARDS.entries()) {
      if (!changed.includes(kind)) continue;
      await page.locator('.segment').nth(i).click();
      await waitForCurrent(page, kind);
      await page.screenshot({ path: new URL(`stories-poster-${kind}-phone.png`, ARTIFACTS).pathname });
    }
    assert.deepEqual(jsErrors(page), []);

    // axe (its script needs the CSP bypassed) finds nothing on these cards, posters loaded or not.
    const audit = await newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true });
    try {
      await audit.route(`${TMDB_IMAGES}/**`, (route) => (route.request().url().endsWith('/gone.jpg') ? route.fulfill({ status: 404 }) : route.fulfill({ contentType: 'image/svg+xml', body: POSTER_SVG })));
      await audit.goto(`${api.base}/?session=${SESSION}`);
      await audit.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
      await card(audit, 'topShows').locator('.place-2 img').waitFor({ state: 'detached' });
      for (const [i, kind] of STORY_CARDS.entries()) {
        if (!changed.includes(kind)) continue;
        await audit.locator('.segment').nth(i).click();
        await waitForCurrent(audit, kind);
        assert.deepEqual(await axeViolations(audit), [], kind);
      }
    } finally {
      await audit.context().close();
    }
  } finally {
    await page.context().close();
    await api.close();
  }
});

test('an empty history tells one honest card; a tiny one four', async () => {
  const empty: Report = { ...finalReport(), totalShows: 0, totalEpisodes: 0, films: 0, firstShow: null, mostWatchedShow: null, topShows: [], crossoverStar: null, genres: [], rtScore: null, bff: null, starSign: null, personality: null };
  const api = await startFakeApi({ session: 'COMPLETED', versions: [empty], eventsStatus: 200 });
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    assert.deepEqual(await page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card'))), ['overview']);
    assert.equal(await page.locator('.segment').count(), 1);
    assert.match((await card(page, 'overview').textContent()) ?? '', /A blank screen, for now/);
    await page.screenshot({ path: new URL('stories-empty-phone.png', ARTIFACTS).pathname });
    api.state.versions = [{ ...finalReport(), totalShows: 2 }];
    await page.reload();
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    assert.deepEqual(await page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card'))), ['overview', 'firstShow', 'mostWatched', 'summary']);
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await api.close();
  }
});

for (const size of [{ name: 'phone', width: 390, height: 844, mobile: true }, { name: 'desktop', width: 1280, height: 900, mobile: false }]) {
  test(`every card at ${size.name} size fills the stage without overflowing it; click zones, Escape and the close button; axe finds no violations`, async () => {
    const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
    const page = await newPage({ viewport: { width: size.width, height: size.height }, isMobile: size.mobile, hasTouch: size.mobile, bypassCSP: true });
    try {
      await page.goto(`${api.base}/?session=${SESSION}`);
      await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
      // Full screen: the stage is the whole phone, or centred with room around it on a desktop.
      assert.equal(await page.locator('#report').getAttribute('data-mode'), 'full');
      const frame = (await page.locator('.story-frame').boundingBox())!;
      if (size.mobile) assert.deepEqual(frame, { x: 0, y: 0, width: size.width, height: size.height });
      else {
        assert.ok(frame.x > 100 && Math.abs(frame.x + frame.width / 2 - size.width / 2) < 2, JSON.stringify(frame));
        assert.ok(Math.abs(frame.width / frame.height - 9 / 16) < 0.01, JSON.stringify(frame));
      }
      assert.equal(await page.locator('.site-header').isVisible(), false, 'the header is out of the way');
      assert.equal(await page.locator('h1#report-title').count(), 1, 'a real h1');
      for (const [i, kind] of STORY_CARDS.entries()) {
        await page.locator('.segment').nth(i).click();
        await waitForCurrent(page, kind);
        // Every element of the card lies inside it (nothing cut off by its edges).
        const outside = await card(page, kind).evaluate((e) => {
          const frame = e.getBoundingClientRect();
          return [...e.querySelectorAll('*')]
            .filter((n) => !n.closest('[hidden]'))
            .map((n) => ({ n, r: n.getBoundingClientRect() }))
            .filter(({ r }) => r.width > 1 && (r.top < frame.top - 1 || r.bottom > frame.bottom + 1 || r.left < frame.left - 1 || r.right > frame.right + 1))
            .map(({ n }) => `${n.tagName}.${n.className}`);
        });
        assert.deepEqual(outside, [], `${kind} overflows its card`);
        await page.screenshot({ path: new URL(`stories-${size.name}-${String(i + 1).padStart(2, '0')}-${kind}.png`, ARTIFACTS).pathname });
        // AA contrast on every card's colours, with the controls over it.
        assert.deepEqual(await axeViolations(page, ['color-contrast']), [], `${kind}'s colours`);
      }
      // Every image has alt text (or is a described picture).
      assert.deepEqual(await page.locator('img:not([alt])').count(), 0);
      assert.deepEqual(await axeViolations(page), [], 'the story player');

      // A click on the right of a card goes on, on the left third back (a mouse too).
      await page.locator('.segment').nth(4).click();
      const box = (await page.locator('#cards').boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.6);
      assert.equal(await currentCard(page), 'genres');
      await page.mouse.click(box.x + box.width * 0.15, box.y + box.height * 0.6);
      assert.equal(await currentCard(page), 'crossoverStar');
      // One tab stop for the segments, arrows inside it.
      await page.locator('.segment').nth(4).focus();
      await page.keyboard.press('ArrowRight');
      assert.equal(await currentCard(page), 'genres');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-for')), 'genres', 'the focus follows in the bar');
      assert.deepEqual(await page.locator('.segment').evaluateAll((els) => els.map((e) => (e as HTMLElement).tabIndex).filter((t) => t === 0).length), 1);
      await page.keyboard.press('End');
      assert.equal(await currentCard(page), 'summary');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'story-prev', 'the next tab stop is past the bar');

      // Escape puts the stories in the page, with the header and summary; the button opens them again.
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#report').getAttribute('data-mode'), 'page');
      assert.equal(await page.locator('.site-header').isVisible(), true);
      assert.equal(await page.locator('#report-summary').isVisible(), true);
      await page.screenshot({ path: new URL(`stories-${size.name}-in-page.png`, ARTIFACTS).pathname, fullPage: true });
      assert.deepEqual(await axeViolations(page), [], 'the page with the stories in it');
      await page.getByRole('button', { name: 'Open full screen' }).click();
      assert.equal(await page.locator('#report').getAttribute('data-mode'), 'full');
      assert.deepEqual(jsErrors(page), []);
    } finally {
      await page.context().close();
      await api.close();
    }
  });
}

test('a card’s reveal: lines rise in turn and numbers count up, and under reduced motion nothing animates', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
  try {
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      const page = await newPage({ viewport: { width: 390, height: 844 }, reducedMotion });
      await page.goto(`${api.base}/?session=${SESSION}`);
      await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
      await page.getByRole('button', { name: 'Pause stories' }).or(page.getByRole('button', { name: 'Play stories' })).waitFor();
      const body = card(page, 'overview').locator('.card-body > *');
      const animations = await body.evaluateAll((els) => els.map((e) => [getComputedStyle(e).animationName, getComputedStyle(e).animationDelay]));
      const counts = await card(page, 'overview').locator('[data-count-to]').evaluateAll((els) => els.map((e) => e.textContent));
      if (reducedMotion === 'reduce') {
        assert.ok(animations.every(([name]) => name === 'none'), JSON.stringify(animations));
        assert.deepEqual(counts, ['28', '310', '4'], 'numbers are final at once');
      } else {
        assert.ok(animations.every(([name]) => name === 'rise'), JSON.stringify(animations));
        assert.ok(new Set(animations.map(([, delay]) => delay)).size > 1, 'staggered');
        await page.waitForTimeout(1500);
        assert.deepEqual(await card(page, 'overview').locator('[data-count-to]').evaluateAll((els) => els.map((e) => e.textContent)), ['28', '310', '4'], 'the count-up ends on the number');
      }
      // Screen readers get the number itself, never the count.
      assert.deepEqual(await card(page, 'overview').locator('.stat-value .visually-hidden').allTextContents(), ['28', '310', '4']);
      await page.context().close();
    }
  } finally {
    await api.close();
  }
});

test('a swipe down on a phone closes the full-screen stories', async () => {
  const api = await startFakeApi({ session: 'COMPLETED', versions: [finalReport()], eventsStatus: 200 });
  const page = await newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  try {
    await page.goto(`${api.base}/?session=${SESSION}`);
    await page.locator('#report[data-final="true"]').waitFor({ state: 'visible' });
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })) });
    await touch('touchStart', [{ x: 200, y: 300 }]);
    for (let i = 1; i <= 6; i++) await touch('touchMove', [{ x: 200 + i, y: 300 + i * 40 }]);
    await touch('touchEnd', []);
    assert.equal(await page.locator('#report').getAttribute('data-mode'), 'page');
    assert.equal(await currentCard(page), 'overview', 'no card skipped');
  } finally {
    await page.context().close();
    await api.close();
  }
});

// ---------- the real stack ----------

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('a real session past its deadline: provisional stories with coverage badges, upgraded in place to the final report; share, download, revoke', async () => {
  // A deadline of a second and a slow crawl (2 RT requests a second): the provisional report lands first.
  const stack = await startTestStack({ env: { ALLOW_ANONYMOUS_SESSIONS: 'true', REPORT_DEADLINE: '1s', RT_RPS: '2' } });
  const page = await newPage();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.apiUrl });
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'share', { value: undefined, configurable: true });
  });
  await page.route('https://image.tmdb.org/**', (route) => route.abort('internetdisconnected'));
  const asOperator = { headers: { authorization: `Bearer ${stack.apiKey}` } };
  try {
    await page.goto(`${stack.apiUrl}/`);
    const chooser = page.getByLabel('Pick a demo viewer');
    await chooser.locator('option[value="demo-small"]').waitFor({ state: 'attached' });
    await chooser.selectOption('demo-small');
    await page.getByRole('button', { name: 'Start my report' }).click();
    await page.waitForURL(/\?session=/);
    const sessionId = new URL(page.url()).searchParams.get('session')!;

    // The provisional stories, before the session completes.
    const provisional = page.locator('#report[data-final="false"]');
    await provisional.waitFor({ state: 'visible', timeout: 90_000 });
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    const shownVersion = Number(await page.locator('#report').getAttribute('data-version'));
    const v = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report?version=${shownVersion}`, asOperator)).json()) as Report;
    assert.equal(v.final, false);
    const expected = Object.fromEntries(STORY_CARDS.map((c) => [c, v.coverage[c].complete ? null : v.coverage[c].label]));
    // A later version may already be on its way; the badges are those of the version on screen (or a newer one).
    const shown = await badges(page);
    if (await page.locator(`#report[data-version="${shownVersion}"]`).count()) assert.deepEqual(shown, expected);
    assert.ok(Object.values(expected).some((b) => b !== null), 'some card is provisional');
    assert.match(expected.rtTaste ?? '', /^RT taste from \d+ of \d+ shows$/);
    await page.getByRole('button', { name: 'Card 7 of 11: Critics’ taste' }).click();
    await page.screenshot({ path: new URL('stories-provisional.png', ARTIFACTS).pathname });

    // The final report replaces it in place: same page, same card on screen, no badges.
    await page.locator('#report[data-final="true"]').waitFor({ state: 'attached', timeout: 180_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 7, 'no reload');
    assert.equal(await currentCard(page), 'rtTaste');
    const final = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, asOperator)).json()) as Report;
    assert.equal(final.final, true);
    assert.equal(await page.locator('#report').getAttribute('data-version'), String(final.version));
    assert.ok(final.version > v.version);
    assert.deepEqual(Object.values(await badges(page)).filter((b) => b !== null), []);
    assert.equal(await page.locator('#report-improving').isHidden(), true);
    // RT taste reads as a kind of taste (the band stays in the data).
    if (final.rtScore) assert.ok((await card(page, 'rtTaste').innerText()).includes(tasteKind(final.rtScore.score).name));
    assert.ok(final.starSign && final.personality);
    assert.match(await card(page, 'starSign').innerText(), new RegExp(final.starSign.sign));
    await page.screenshot({ path: new URL('stories-final.png', ARTIFACTS).pathname });

    // Share the card on screen: the link works for anyone, with its preview image; the download is a PNG.
    await card(page, 'rtTaste').getByRole('button', { name: /^Share/ }).click();
    const shareUrl = await card(page, 'rtTaste').getByRole('textbox', { name: 'Share link' }).inputValue();
    const sharePage = await fetch(shareUrl);
    assert.equal(sharePage.status, 200);
    const html = await sharePage.text();
    const ogImage = /<meta[^>]+property="og:image"[^>]+content="([^"]+)"/.exec(html)?.[1];
    assert.ok(ogImage, 'the share page has og:image');
    const download = card(page, 'rtTaste').getByRole('link', { name: /^Download image/ });
    const href = (await download.getAttribute('href'))!;
    assert.equal(new URL(href).searchParams.get('download'), '1');
    const image = await fetch(href);
    assert.equal(image.status, 200);
    assert.match(image.headers.get('content-type') ?? '', /^image\/png/);
    assert.match(image.headers.get('content-disposition') ?? '', /attachment/);
    assert.deepEqual(pngSize(Buffer.from(await image.arrayBuffer())), { width: 1080, height: 1920 }, 'the story image');
    await page.keyboard.press('Escape');

    // Revoke: the link answers 404 from then on.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke share links' }).click();
    await page.locator('#share-result').filter({ hasText: 'not found' }).waitFor();
    assert.equal((await fetch(shareUrl)).status, 404);

    // And the hand-off code for a phone.
    await page.getByRole('button', { name: 'Continue on your phone' }).click();
    await page.waitForFunction(() => (document.getElementById('handoff-qr') as HTMLImageElement).naturalWidth > 0, null, { timeout: 10_000 });
    assert.match(await page.locator('#handoff-url').innerText(), new RegExp(`session=${sessionId}`));
    await page.keyboard.press('Escape');
    assert.deepEqual(jsErrors(page), []);
  } finally {
    await page.context().close();
    await stack.close();
  }
});
