// The viewer's privacy in a real (headless) Chromium against the whole stack: a report opens only in
// the browser that holds its viewer cookie (from starting it on the page, or from a `#viewer=` link an
// app hands out); another browser sees "private"; and "Erase my data" forgets the session for good.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
let browser: Browser;

before(async () => {
  [stack, browser] = await Promise.all([
    startTestStack({ env: { ALLOW_ANONYMOUS_SESSIONS: 'true' } }),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** A fresh browser: its own cookie jar, like another person's device. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.route('https://image.tmdb.org/**', (route) => route.abort('internetdisconnected'));
  return page;
}

/** An app starts the session for its viewer (write key) and gets the viewer's token. */
async function startForViewer(): Promise<{ sessionId: string; viewerToken: string }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey: 'demo-small' }),
  });
  assert.equal(res.status, 202);
  return (await res.json()) as { sessionId: string; viewerToken: string };
}

test("a #viewer= link opens the report in the viewer's browser, drops the token from the address bar, and nowhere else", async () => {
  const { sessionId, viewerToken } = await startForViewer();
  await waitForState(stack, sessionId, ['COMPLETED']);

  const viewer = await newPage();
  await viewer.goto(`${stack.apiUrl}/?session=${sessionId}#viewer=${viewerToken}`);
  await viewer.locator('#report').waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok((await viewer.locator('[data-card]').count()) >= 5, 'the report cards are shown');
  assert.equal(new URL(viewer.url()).hash, '', 'the token left the address bar');
  const cookies = await viewer.context().cookies();
  const cookie = cookies.find((c) => c.name === 'sp_viewer');
  assert.ok(cookie, 'the page holds the viewer cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, `/api/sessions/${sessionId}`);
  assert.equal(await viewer.evaluate(() => document.cookie), '', 'page scripts cannot read it');

  // Someone else with only the link's session id (no token) sees nothing of it.
  const stranger = await newPage();
  await stranger.goto(`${stack.apiUrl}/?session=${sessionId}`);
  await stranger.locator('#failure').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await stranger.locator('#failure-title').textContent() ?? '', /private/i);
  assert.equal(await stranger.locator('[data-card]').count(), 0);
  await viewer.context().close();
  await stranger.context().close();
});

test('a viewer who started on the page erases their data and gets a receipt; the report is then gone for everyone', async () => {
  const page = await newPage();
  await page.goto(stack.apiUrl);
  await page.locator('#demo-key').selectOption('demo-small');
  await page.locator('#start-button').click();
  await page.locator('#report').waitFor({ state: 'visible', timeout: 90_000 });
  const sessionId = new URL(page.url()).searchParams.get('session') ?? '';
  assert.ok(sessionId);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('#forget-button').click();
  await page.locator('#forget-result').filter({ hasText: 'receipt' }).waitFor({ timeout: 60_000 });
  const receipt = (await page.locator('#forget-result').textContent()) ?? '';
  assert.match(receipt, /records deleted and the encryption key session\.\S+ destroyed/);
  assert.equal(await page.locator('[data-card]').count(), 0, 'the cards are gone from the page');

  const asOperator = await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  assert.equal(asOperator.status, 404);
  await page.context().close();
});
