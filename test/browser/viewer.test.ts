// The viewer's page in a real (headless) Chromium against the whole real stack: start a demo session
// (the page holds only its HttpOnly viewer cookie), watch live progress over server-sent events, read
// the report cards, and see failures in words. Plus the event stream itself over plain fetch: one
// shared poller per session.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { type Browser, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { errorHandler } from '../../src/api/errors.js';
import { ApiKeySet } from '../../src/api/protection/apiKeys.js';
import { apiGuard } from '../../src/api/protection/middleware.js';
import { ViewerTokenEpochs, ViewerTokens } from '../../src/api/protection/viewerTokens.js';
import { eventsRouter } from '../../src/api/eventsRouter.js';
import { percent, tasteKind } from '../../src/domain/cardVerdicts.js';
import { type Report, STORY_CARDS } from '../../src/domain/report.js';
import { launchChromium } from '../support/browser.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';
import { until } from '../support/mockActivities.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);

let stack: TestStack;
let browser: Browser;

before(async () => {
  [stack, browser] = await Promise.all([
    // The page is the demo flow: it starts sessions without an API key.
    startTestStack({ env: { ALLOW_ANONYMOUS_SESSIONS: 'true' } }),
    launchChromium(),
  ]);
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

async function newPage(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  // Offline like CI: TMDB's image host is unreachable, so pictures must fall back to initials.
  await page.route('https://image.tmdb.org/**', (route) => route.abort('internetdisconnected'));
  return page;
}

/** A read as an operator (the test's own look at what the page shows; reads need a key). */
async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  assert.equal(res.ok, true, `GET ${path} → ${res.status}`);
  return (await res.json()) as T;
}

async function startSession(dataKey?: string): Promise<{ sessionId: string; viewerToken: string }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify(dataKey ? { dataKey } : {}),
  });
  assert.equal(res.status, 202);
  return (await res.json()) as { sessionId: string; viewerToken: string };
}

const sessionIdOf = (page: Page) => new URL(page.url()).searchParams.get('session') ?? '';
const cardText = (page: Page, card: string) => page.locator(`[data-card="${card}"]`).innerText();

test('a viewer starts demo-small, watches live progress and reads the report as story cards', async () => {
  const page = await newPage();
  await page.goto(`${stack.apiUrl}/`);
  const chooser = page.getByLabel('Pick a demo viewer');
  await chooser.locator('option[value="demo-small"]').waitFor({ state: 'attached' });
  await chooser.selectOption('demo-small');
  await page.screenshot({ path: new URL('viewer-start.png', ARTIFACTS).pathname, fullPage: true });

  // Record every progress value the page shows: demo-small is quick, so the bars may come and go
  // between two looks.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    new MutationObserver((records) => {
      for (const r of records) seen.push(Number((r.target as Element).getAttribute('aria-valuenow')));
    }).observe(document.getElementById('progress')!, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });

  await page.getByRole('button', { name: 'Start my report' }).click();
  await page.waitForURL(/\?session=/);
  const sessionId = sessionIdOf(page);
  assert.ok(sessionId, 'the page put the session id in its URL');
  // The start handed the browser this session's viewer cookie: HttpOnly (no script holds the token),
  // SameSite=Strict, and sent only to this session's paths.
  const viewerCookies = (await page.context().cookies()).filter((c) => c.name === 'sp_viewer');
  assert.equal(viewerCookies.length, 1);
  assert.deepEqual(
    { path: viewerCookies[0].path, httpOnly: viewerCookies[0].httpOnly, sameSite: viewerCookies[0].sameSite },
    { path: `/api/sessions/${sessionId}`, httpOnly: true, sameSite: 'Strict' },
  );
  assert.match(viewerCookies[0].value, new RegExp(`^spv2\\.${sessionId}\\.`));
  assert.equal(await page.evaluate(() => document.cookie), '', 'page scripts cannot read the token');

  const bars = page.getByRole('progressbar');
  await bars.first().waitFor({ state: 'visible' });
  assert.ok((await bars.count()) >= 1, 'progress bars are shown');
  assert.match((await bars.first().getAttribute('aria-valuenow')) ?? '', /^\d+$/);
  // A picture of the bars mid-way, when the session is slow enough to be caught there.
  await page
    .waitForFunction(() => Number(document.getElementById('overall-bar')?.getAttribute('aria-valuenow')) > 0, null, { timeout: 10_000 })
    .then(async () => {
      if (await page.locator('#progress').isVisible()) await page.screenshot({ path: new URL('viewer-progress.png', ARTIFACTS).pathname });
    })
    .catch(() => undefined);

  await page.locator('[data-card="personality"]').waitFor({ state: 'visible', timeout: 120_000 });
  // demo-small finishes well inside the report deadline: the first version is the final one.
  await page.locator('#report[data-final="true"]').waitFor({ state: 'attached' });
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  assert.ok(seen.some((v) => v > 0), `live progress reached the bars: ${JSON.stringify(seen.slice(0, 20))}`);

  const report = await getJson<Report>(`/api/sessions/${sessionId}/report`);
  assert.ok(report.firstShow && report.mostWatchedShow && report.crossoverStar && report.rtScore);
  assert.ok(report.bff && report.starSign && report.personality);

  const cards = await page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')));
  // The story cards, in the order they play.
  assert.deepEqual(cards, [...STORY_CARDS]);

  assert.ok((await cardText(page, 'firstShow')).includes(report.firstShow.name));
  assert.equal(await page.locator('[data-card="firstShow"] time').getAttribute('datetime'), report.firstShow.date);

  const most = await cardText(page, 'mostWatched');
  assert.ok(most.includes(report.mostWatchedShow.name));
  assert.ok(most.includes(`watched ${report.mostWatchedShow.watched} of ${report.mostWatchedShow.total} episodes`), most);

  const podium = await page.locator('[data-card="topShows"] .podium-name').allInnerTexts();
  assert.deepEqual(podium, report.topShows.map((s) => s.name));

  assert.ok((await cardText(page, 'crossoverStar')).includes(report.crossoverStar.name));

  assert.ok(report.genres.length > 0);
  for (const genre of report.genres) {
    const row = page.locator('[data-card="genres"] .genre-row').filter({ has: page.locator('.genre-name', { hasText: genre.name }) });
    // As people read a share: 22%, not 22.00%.
    assert.equal(await row.locator('.genre-share').innerText(), percent(genre.share));
  }

  // RT taste reads as a kind of taste (the band stays in the data).
  assert.ok((await cardText(page, 'rtTaste')).includes(tasteKind(report.rtScore.score).name));

  const bff = page.locator('[data-card="bff"]');
  assert.ok((await bff.innerText()).includes(report.bff.name));
  // The picture can't load offline: the initials stand in and carry the description.
  const fallback = bff.locator('.avatar.is-fallback[role="img"]');
  await fallback.waitFor();
  assert.equal(await fallback.getAttribute('aria-label'), `${report.bff.name} from ${report.bff.show}`);

  assert.ok((await cardText(page, 'starSign')).includes(report.starSign.sign));
  assert.ok((await cardText(page, 'personality')).includes(report.personality.name));

  await page.screenshot({ path: new URL('viewer-report.png', ARTIFACTS).pathname, fullPage: true });
  await page.setViewportSize({ width: 375, height: 812 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no sideways scrolling at 375 px');
  await page.screenshot({ path: new URL('viewer-report-mobile.png', ARTIFACTS).pathname, fullPage: true });
  await page.context().close();
});

test('an unknown dataKey ends in a plain-words failure with a way to try again', async () => {
  const page = await newPage(375, 812);
  await page.goto(`${stack.apiUrl}/`);
  await page.getByLabel('…or paste your own dataKey').fill('no-such-key');
  await page.getByRole('button', { name: 'Start my report' }).click();
  const failure = page.locator('#failure');
  await failure.waitFor({ state: 'visible', timeout: 60_000 });

  const session = await getJson<{ state: string; failureReason: string }>(`/api/sessions/${sessionIdOf(page)}`);
  assert.equal(session.state, 'FAILED');
  assert.match(session.failureReason, /no data for this dataKey/i);
  // The plain part of the reason is the message; the service's error code waits behind "details".
  const [plain] = session.failureReason.split(' (');
  const message = await page.locator('#failure-message').innerText();
  assert.ok(message.toLowerCase().includes(plain.toLowerCase()), message);
  assert.ok(!message.includes('RECORD_NOT_FOUND'), message);
  await page.getByText('Technical details').click();
  assert.match(await page.locator('#failure-code').innerText(), /RECORD_NOT_FOUND/);
  await page.screenshot({ path: new URL('viewer-failure-mobile.png', ARTIFACTS).pathname, fullPage: true });

  await page.getByRole('button', { name: 'Make a new report' }).click();
  await page.getByRole('button', { name: 'Start my report' }).waitFor({ state: 'visible' });
  await page.context().close();
});

test('a session link without its viewer cookie, a link to an erased session and an unreachable server are explained in words', async () => {
  const page = await newPage();
  // Without the session's cookie the API answers 401 whether or not the session exists: the page
  // cannot (and must not) tell an unknown session from someone else's.
  await page.goto(`${stack.apiUrl}/?session=no-such-session`);
  await page.locator('#failure').waitFor({ state: 'visible' });
  assert.match(await page.locator('#failure-title').innerText(), /This report is private/);

  // With its viewer token (an app's `#viewer=` link), a session that was erased meanwhile is "not found".
  const { sessionId: erased, viewerToken } = await startSession();
  const forgot = await fetch(`${stack.apiUrl}/api/sessions/${erased}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.apiKey}` } });
  assert.ok([200, 202].includes(forgot.status), `the admin key forgets it: ${forgot.status}`);
  await until(async () => (await fetch(`${stack.apiUrl}/api/sessions/${erased}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).status === 404, 30_000, 'the session to be erased');
  await page.goto(`${stack.apiUrl}/?session=${erased}#viewer=${viewerToken}`);
  await page.locator('#failure-title').filter({ hasText: /This report is gone/ }).waitFor({ state: 'visible' });
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');

  // Nothing to try again: the button offers a new report instead.
  await page.getByRole('button', { name: 'Make a new report' }).click();
  await page.route('**/api/sessions', (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: 'Start my report' }).click();
  const error = page.locator('#form-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), /couldn’t reach showprint/);
  await page.context().close();
});

// ---------- the event stream over plain fetch ----------

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads one event stream to its end, keeping events and comment lines (heartbeats). */
async function readStream(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<{ events: SseEvent[]; comments: number }> {
  const events: SseEvent[] = [];
  let comments = 0;
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments++;
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
      }
    }
  } catch (error) {
    // The quitting listener hangs up on purpose, whether or not its headers had arrived.
    if (!signal?.aborted) throw error;
  }
  return { events, comments };
}

test('the event stream: progress then done, one poller shared by every listener, cleaned up after', async () => {
  const key = { authorization: `Bearer ${stack.apiKey}` };
  const bad = await fetch(`${stack.apiUrl}/api/sessions/not%20valid!/events`, { headers: key });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_session_id');
  const missing = await fetch(`${stack.apiUrl}/api/sessions/no-such-session/events`, { headers: key });
  assert.equal(missing.status, 404);
  assert.equal((await fetch(`${stack.apiUrl}/api/sessions/no-such-session/events`)).status, 401, 'no stream without a credential');

  // A router of our own, to count its workflow queries and read its stats.
  const intervalMs = 200;
  const pollTimes: number[] = [];
  const pollsBySession = new Map<string, number>();
  const events = eventsRouter({
    client: stack.client,
    db: stack.db.db,
    pollIntervalMs: intervalMs,
    heartbeatMs: 150,
    onPoll: (id) => {
      pollTimes.push(Date.now());
      pollsBySession.set(id, (pollsBySession.get(id) ?? 0) + 1);
    },
  });
  const app = express();
  // The product's guard in front, with a key and viewer tokens of this app's own.
  const apiKey = `events-test-${randomBytes(12).toString('hex')}`;
  const viewerTokens = new ViewerTokens(randomBytes(32).toString('base64url'), 60_000);
  app.use(apiGuard({ apiKeys: new ApiKeySet([apiKey]), viewerTokens, epochs: new ViewerTokenEpochs(stack.db.db), rateLimit: { rate: 1000, burst: 1000 } }));
  app.use('/api/sessions', events);
  app.use(errorHandler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { sessionId } = await startSession('demo-small');
    const url = `${base}/api/sessions/${sessionId}/events`;
    const asOperator = { authorization: `Bearer ${apiKey}` };
    const asViewer = { authorization: `Bearer ${viewerTokens.issue(sessionId).token}` };
    // Another session's viewer token: its stream looks like one that does not exist.
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${viewerTokens.issue('another-session').token}` } })).status, 404);

    const quitter = new AbortController();
    // Listeners with either credential share the poller: the operator's key, the session's viewer token.
    const [a, b, c] = [readStream(url, asOperator), readStream(url, asViewer), readStream(url, asOperator, quitter.signal)];
    // Wait until the three listeners are in, then let one leave.
    const deadline = Date.now() + 10_000;
    while (events.stats().clients < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual({ pollers: events.stats().activePollers, clients: events.stats().clients }, { pollers: 1, clients: 3 });
    quitter.abort();
    await c;
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual({ pollers: events.stats().activePollers, clients: events.stats().clients }, { pollers: 1, clients: 2 });

    const [first, second] = await Promise.all([a, b]);
    for (const { events: got, comments } of [first, second]) {
      const names = got.map((e) => e.event);
      assert.ok(names.filter((n) => n === 'progress').length >= 1, `progress events: ${names.join(',')}`);
      assert.equal(names.at(-1), 'done');
      assert.equal(names.indexOf('done'), names.length - 1, 'done comes last, once');
      assert.deepEqual(got.at(-1)!.data, { state: 'COMPLETED', failureReason: null });
      const progress = got.find((e) => e.event === 'progress')!.data as { sessionId: string; stages: Record<string, unknown> };
      assert.equal(progress.sessionId, sessionId);
      assert.deepEqual(Object.keys(progress.stages).sort(), ['bff', 'crawl', 'fetch', 'quips', 'showData', 'starSign']);
      assert.ok(comments >= 1, 'heartbeat comments arrive');
    }

    // One poller: queries never come closer together than the interval, as two pollers would.
    assert.ok(pollTimes.length >= 1);
    const gaps = pollTimes.slice(1).map((t, i) => t - pollTimes[i]);
    assert.ok(gaps.every((g) => g >= intervalMs * 0.8), `poll gaps ${gaps.join(',')}`);
    assert.equal(events.stats().polls, pollTimes.length);
    assert.deepEqual({ pollers: events.stats().activePollers, clients: events.stats().clients }, { pollers: 0, clients: 0 });

    // A finished session answers its latest report version and `done` at once from the database,
    // without a workflow query.
    await waitForState(stack, sessionId, ['COMPLETED']);
    const pollsBefore = pollTimes.length;
    const late = await readStream(url, asViewer);
    assert.deepEqual(late.events.map((e) => e.event), ['report', 'done']);
    assert.deepEqual(late.events[0].data, { version: 1, final: true }, 'demo-small is done before its deadline: one version, final');
    assert.equal(pollTimes.length, pollsBefore);

    // A session waiting for its dataKey is queried once; after that the free row is enough.
    const { sessionId: waiting } = await startSession();
    const leave = new AbortController();
    const idle = readStream(`${base}/api/sessions/${waiting}/events`, asOperator, leave.signal);
    await new Promise((r) => setTimeout(r, intervalMs * 5));
    leave.abort();
    const { events: idleEvents } = await idle;
    assert.deepEqual(idleEvents.map((e) => [e.event, (e.data as { state: string }).state]), [['progress', 'AWAITING_CONNECTION']]);
    assert.equal(pollsBySession.get(waiting), 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(events.stats().activePollers, 0, 'the poller stops when its last listener leaves');
  } finally {
    await new Promise((r) => server.close(r));
  }
});
