// The viewer's page takes the session states from the contract (/session-states.js), so a state
// added or renamed in src/contracts reaches it without a second spelling in app.js.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import vm from 'node:vm';
import { SESSION_STATES } from '../../src/contracts/index.js';
import { type ServedApp, serveLightApp, testSecurity } from '../support/servedApp.js';

let app: ServedApp;
before(async () => {
  app = await serveLightApp(testSecurity());
});
after(async () => {
  await app?.close();
});

test('/session-states.js defines exactly the contract’s states, and the page loads it before app.js', async () => {
  const res = await fetch(`${app.url}/session-states.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /javascript/);
  const window: { SESSION_STATES?: Record<string, string> } = {};
  vm.runInNewContext(await res.text(), { window });
  assert.deepEqual(Object.keys(window.SESSION_STATES ?? {}), [...SESSION_STATES]);
  const html = await (await fetch(`${app.url}/`)).text();
  assert.ok(html.indexOf('/session-states.js') > 0 && html.indexOf('/session-states.js') < html.indexOf('/app.js'), 'states load first');
});

test('app.js spells no session state itself', () => {
  const page = readFileSync('src/api/web/app.js', 'utf8');
  for (const state of SESSION_STATES) assert.ok(!page.includes(`'${state}'`), `app.js spells '${state}'`);
});

test('the page has a favicon, its files are compressed, and the card rules load before the cards', async () => {
  const icon = await fetch(`${app.url}/favicon.svg`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  const html = await (await fetch(`${app.url}/`)).text();
  assert.match(html, /<link rel="icon" href="\/favicon\.svg"/);
  assert.ok(html.indexOf('/verdicts.js') > 0 && html.indexOf('/verdicts.js') < html.indexOf('/cards.js'), 'the rules load first');
  for (const file of ['/styles.css', '/cards.js', '/']) {
    const res = await fetch(`${app.url}${file}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('content-encoding'), 'gzip', file);
  }
});
