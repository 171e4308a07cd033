// "Your year in TV" and Blend in a real (headless) Chromium at phone size, against the whole real
// stack: the year picker offers the history's years and shows a year's cards; viewer A invites,
// viewer B opens the invitation before having a report, makes one, accepts, and both see the Blend.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let stack: TestStack;
let browser: Browser;

before(async () => {
  [stack, browser] = await Promise.all([
    startTestStack({ env: { ALLOW_ANONYMOUS_SESSIONS: 'true' } }),
    launchChromium(),
  ]);
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

async function newPage(size = PHONE): Promise<Page> {
  const context = await browser.newContext({ viewport: size, reducedMotion: 'reduce', isMobile: size === PHONE, hasTouch: size === PHONE });
  const page = await context.newPage();
  await page.route('https://image.tmdb.org/**', (route) => route.abort('internetdisconnected'));
  return page;
}

async function startSession(dataKey: string): Promise<{ sessionId: string; viewerToken: string }> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` }, body: JSON.stringify({ dataKey }) });
  assert.equal(res.status, 202);
  return (await res.json()) as { sessionId: string; viewerToken: string };
}

/** The page of a session whose viewer link an app handed out (`#viewer=` is traded for the cookie). */
async function openReport(page: Page, s: { sessionId: string; viewerToken: string }) {
  await page.goto(`${stack.apiUrl}/?session=${s.sessionId}#viewer=${s.viewerToken}`);
  await page.locator('#year-section').waitFor({ state: 'visible', timeout: 60_000 });
}

/** The whole page, and the section the test is about on its own (the page scrolls inside its shell). */
async function shot(page: Page, name: string, section?: string) {
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
  if (section) await page.locator(section).screenshot({ path: new URL(`${name}-section.png`, ARTIFACTS).pathname });
}

test('the year picker offers every year the history covers and shows the year it is asked for', async () => {
  const a = await startSession('demo-small');
  await waitForState(stack, a.sessionId, ['COMPLETED']);
  const years = ((await (await fetch(`${stack.apiUrl}/api/sessions/${a.sessionId}/years`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { years: number[] }).years;
  assert.ok(years.length >= 1, 'demo-small covers at least one year');

  for (const [size, name] of [[PHONE, 'phone'], [DESKTOP, 'desktop']] as const) {
    const page = await newPage(size);
    await openReport(page, a);
    const chips = page.locator('#year-picker button');
    assert.deepEqual(await chips.allInnerTexts(), ['All time', ...years.map(String)]);
    assert.equal(await chips.first().getAttribute('aria-pressed'), 'true', 'all time is the default');
    const year = years[0];
    await page.getByRole('button', { name: String(year), exact: true }).click();
    await page.locator('#year-cards li').first().waitFor();
    assert.equal(await page.getByRole('button', { name: String(year), exact: true }).getAttribute('aria-pressed'), 'true');
    const cards = await page.locator('#year-cards li').allInnerTexts();
    assert.equal(cards.length, 6);
    // Every card says the year.
    for (const card of cards) assert.ok(card.includes(String(year)), card);
    assert.match(await page.locator('#year-status').innerText(), new RegExp(`^${year}: \\d+ episodes of \\d+ shows\\.$`));
    // Nothing wider than the phone.
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= size.width, 'no sideways scrolling');
    // Sharing the year: a link per card, whose page says the year.
    await page.getByRole('button', { name: `Share your ${year}` }).click();
    await page.locator('#year-share-links li').nth(5).waitFor();
    const shared = await page.locator('#year-share-links a').first().getAttribute('href');
    const sharedPage = await page.request.get(shared!);
    assert.equal(sharedPage.status(), 200);
    assert.match(await sharedPage.text(), new RegExp(`Your ${year} in TV`));
    await page.locator('#year-section').scrollIntoViewIfNeeded();
    await shot(page, `year-${name}`, '#year-section');
    await page.context().close();
  }
});

test('A invites, B opens the link without a report, makes one, accepts, and both see the Blend (phone)', async () => {
  const a = await startSession('demo-small');
  await waitForState(stack, a.sessionId, ['COMPLETED']);
  const pageA = await newPage();
  await openReport(pageA, a);
  await pageA.getByRole('button', { name: 'Invite someone to blend' }).click();
  await pageA.locator('#blend-invite-url').waitFor({ state: 'visible' });
  const url = await pageA.locator('#blend-invite-url').inputValue();
  assert.match(url, /\/#blend=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  await pageA.locator('#blend-section').scrollIntoViewIfNeeded();
  await shot(pageA, 'blend-invite-phone', '#blend-section');

  // B: a phone with no report yet. The link is kept, the address bar cleaned, and the start page says why.
  const pageB = await newPage();
  await pageB.goto(url);
  await pageB.locator('#blend-invited').waitFor({ state: 'visible' });
  assert.equal(new URL(pageB.url()).hash, '', 'the invitation left the address bar');
  await shot(pageB, 'blend-invited-phone');
  // Another history than A's, so the Blend has shows to swap.
  await pageB.getByLabel('…or paste your own dataKey').fill('demo-200');
  await pageB.getByRole('button', { name: 'Start my report' }).click();
  await pageB.waitForURL(/\?session=/);
  await pageB.getByRole('button', { name: 'Accept and blend' }).waitFor({ state: 'visible', timeout: 60_000 });
  await pageB.getByRole('button', { name: 'Accept and blend' }).click();
  const score = pageB.locator('.blend-result .extra-title').first();
  await score.waitFor({ timeout: 60_000 });
  assert.match(await score.innerText(), /^\d{1,3}% match$/);
  assert.equal(await pageB.locator('.blend-result li').count(), 4);
  assert.match(await pageB.locator('.blend-result li').nth(2).innerText(), /You show them: |They show you: /);
  assert.ok((await pageB.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width, 'no sideways scrolling');
  await pageB.locator('#blend-section').scrollIntoViewIfNeeded();
  await shot(pageB, 'blend-accepted-phone', '#blend-section');

  // A sees the same score on their own page.
  await pageA.reload();
  await pageA.locator('.blend-result .extra-title').first().waitFor({ timeout: 60_000 });
  assert.equal(await pageA.locator('.blend-result .extra-title').first().innerText(), await score.innerText());

  // A revokes a second invitation: its link no longer blends.
  await pageA.getByRole('button', { name: 'Invite someone to blend' }).click();
  await pageA.locator('#blend-invite-url').waitFor({ state: 'visible' });
  await pageA.getByRole('button', { name: 'Revoke this invitation' }).click();
  await pageA.getByText('Invitation revoked').waitFor();
});
