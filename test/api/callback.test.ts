// Signed callbacks: with CALLBACK_SECRET, GET /api/callback needs a fresh, authentic, first-time
// `ts` + `sig` (hex HMAC-SHA256 of the canonical query), and the connect `state` its session's
// creator was given. Outside the local demo there is no unsigned callback at all.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CALLBACK_MAX_SKEW_SECONDS, canonicalQuery, createCallbackVerifier, signCallback, signedCallbackQuery } from '../../src/api/protection/callbackSignature.js';
import { serveLightApp, testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

const secret = 'callback-secret-for-tests-0123456789';

describe('signing', () => {
  test('canonical query: every parameter but sig, sorted by key, k=v URL-encoded, joined by &', () => {
    const params = { sessionID: 's-1', dataKey: 'a b&c=d/é', ts: '1700000000', sig: 'ignored' };
    assert.equal(canonicalQuery(params), 'dataKey=a%20b%26c%3Dd%2F%C3%A9&sessionID=s-1&ts=1700000000');
    // Independent of this module: the documented recipe with node:crypto.
    const expected = createHmac('sha256', secret).update('dataKey=a%20b%26c%3Dd%2F%C3%A9&sessionID=s-1&ts=1700000000').digest('hex');
    assert.equal(signCallback(params, secret), expected);
    assert.equal(signCallback({ ...params, sig: 'other' }, secret), expected, 'sig itself is not signed');
  });

  test('the replay memory is bounded', () => {
    let now = 1_700_000_000;
    const verifier = createCallbackVerifier(secret, { maxRemembered: 3, now: () => now });
    for (let i = 0; i < 10; i++) {
      const query = Object.fromEntries(new URLSearchParams(signedCallbackQuery({ sessionID: `s${i}`, dataKey: 'k' }, secret, now)));
      verifier.verify(query);
      now += 1;
    }
    assert.ok(verifier.remembered <= 3);
    // Expired entries are dropped first once the window has passed.
    now += CALLBACK_MAX_SKEW_SECONDS * 2;
    verifier.verify(Object.fromEntries(new URLSearchParams(signedCallbackQuery({ sessionID: 'late', dataKey: 'k' }, secret, now))));
    assert.equal(verifier.remembered, 1);
  });
});

describe('GET /api/callback with CALLBACK_SECRET', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ env: { CALLBACK_SECRET: secret } });
  });
  after(async () => {
    await stack?.close();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const get = (query: string) => fetch(`${stack.apiUrl}/api/callback?${query}`, { redirect: 'manual' });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  /** A session started the way an app starts one for the connect flow: no key yet, the state in the answer. */
  async function waiting(name: string): Promise<{ sessionId: string; state: string }> {
    const sessionId = `${name}-${Date.now()}`;
    const res = await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` }, body: JSON.stringify({ sessionId }) });
    assert.equal(res.status, 202);
    const { connectState } = (await res.json()) as { connectState: string };
    await waitForState(stack, sessionId, ['AWAITING_CONNECTION']);
    return { sessionId, state: connectState };
  }

  test('a signed link connects the session; the same link again is refused as a replay', async () => {
    const { sessionId, state } = await waiting('signed');
    const query = signedCallbackQuery({ sessionID: sessionId, dataKey: 'demo-small', state }, secret);
    const res = await get(query);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/?session=${sessionId}`);
    // A signed link proves the caller is this session's viewer: the browser gets the session's viewer cookie.
    const cookie = res.headers.get('set-cookie') ?? '';
    const token = new RegExp(`^sp_viewer=(spv2\\.${sessionId}\\.[^;]+);`).exec(cookie)?.[1];
    assert.ok(token, cookie);
    assert.match(cookie, new RegExp(`Path=/api/sessions/${sessionId}(;|$)`));
    assert.match(cookie, /HttpOnly/);
    const withCookie = await fetch(`${stack.apiUrl}/api/sessions/${sessionId}`, { headers: { cookie: `sp_viewer=${token}` } });
    assert.equal(withCookie.status, 200);
    assert.equal((await fetch(`${stack.apiUrl}/api/sessions/${sessionId}`)).status, 401, 'without it the session stays private');
    const replay = await get(query);
    assert.equal(replay.status, 401);
    assert.equal((await code(replay)).code, 'replayed');
    assert.equal(replay.headers.get('set-cookie'), null, 'a replayed link gets no cookie');
    assert.equal((await waitForState(stack, sessionId, ['COMPLETED', 'FAILED'], 60_000)).state, 'COMPLETED');
  });

  test('unsigned, tampered or wrongly signed links are 401', async () => {
    const unsigned = await get('sessionID=s1&dataKey=demo-small');
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.headers.get('set-cookie'), null);
    assert.equal((await code(unsigned)).code, 'unsigned');

    const good = new URLSearchParams(signedCallbackQuery({ sessionID: 's2', dataKey: 'demo-small' }, secret));
    good.set('dataKey', 'demo-1k');
    const tampered = await get(good.toString());
    assert.equal(tampered.status, 401);
    assert.equal((await code(tampered)).code, 'bad_signature');

    const ts = String(nowSeconds());
    const otherSecret = signCallback({ sessionID: 's3', dataKey: 'demo-small', ts }, 'not-the-secret-0123456789');
    assert.equal((await get(`sessionID=s3&dataKey=demo-small&ts=${ts}&sig=${otherSecret}`)).status, 401);
    assert.equal((await get(`sessionID=s3&dataKey=demo-small&ts=${ts}&sig=zz`)).status, 401);
    // An extra parameter is signed too: adding one breaks the signature.
    const extra = new URLSearchParams(signedCallbackQuery({ sessionID: 's4', dataKey: 'demo-small' }, secret));
    extra.set('admin', 'true');
    assert.equal((await get(extra.toString())).status, 401);
    // A parameter given twice is ambiguous: refused before the signature is checked.
    assert.equal((await get(`${signedCallbackQuery({ sessionID: 's5', dataKey: 'demo-small' }, secret)}&sessionID=s6`)).status, 400);
  });

  test('a ts outside ±5 minutes is "expired", even when correctly signed', async () => {
    for (const ts of [nowSeconds() - CALLBACK_MAX_SKEW_SECONDS - 5, nowSeconds() + CALLBACK_MAX_SKEW_SECONDS + 5]) {
      const res = await get(signedCallbackQuery({ sessionID: `old-${ts}`, dataKey: 'demo-small' }, secret, ts));
      assert.equal(res.status, 401);
      const error = await code(res);
      assert.equal(error.code, 'expired');
      assert.match(error.message, /expired/);
    }
    // Just inside the window is fine.
    const { sessionId, state } = await waiting('edge');
    const ok = await get(signedCallbackQuery({ sessionID: sessionId, dataKey: 'demo-small', state }, secret, nowSeconds() - CALLBACK_MAX_SKEW_SECONDS + 30));
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), `/?session=${sessionId}`);
  });

  test('a correctly signed link without the session\'s state, or for a session not waiting, gets one refusal and no cookie', async () => {
    const { sessionId } = await waiting('stateless');
    const refusals = [
      signedCallbackQuery({ sessionID: sessionId, dataKey: 'demo-small' }, secret),
      signedCallbackQuery({ sessionID: sessionId, dataKey: 'demo-small', state: 'A'.repeat(43) }, secret),
      // A session that does not exist: the same answer, and nothing is started.
      signedCallbackQuery({ sessionID: `never-${Date.now()}`, dataKey: 'demo-small', state: 'A'.repeat(43) }, secret),
    ];
    for (const query of refusals) {
      const res = await fetch(`${stack.apiUrl}/api/callback?${query}`, { redirect: 'manual', headers: { accept: 'application/json' } });
      assert.equal(res.status, 409);
      assert.deepEqual(await code(res), { code: 'connect_refused', message: 'This connection link cannot be used: it is not for a session waiting to be connected' });
      assert.equal(res.headers.get('set-cookie'), null);
    }
  });
});

describe('outside the local demo', () => {
  test('without CALLBACK_SECRET there is no callback route: an unsigned callback never reaches a session', async () => {
    const app = await serveLightApp(testSecurity({ deployment: 'production' }), { publicUrl: 'https://showprint.example' });
    try {
      const res = await fetch(`${app.url}/api/callback?sessionID=s1&dataKey=demo-small`, { redirect: 'manual' });
      assert.equal(res.status, 404);
    } finally {
      await app.close();
    }
    const signed = await serveLightApp(testSecurity({ deployment: 'production', callbackSecret: secret }), { publicUrl: 'https://showprint.example' });
    try {
      const res = await fetch(`${signed.url}/api/callback?sessionID=s1&dataKey=demo-small`, { redirect: 'manual' });
      assert.equal(res.status, 401, 'with a secret it is served, and an unsigned link is refused');
    } finally {
      await signed.close();
    }
  });

  test('the app refuses to run in production without PUBLIC_URL (links would be built from a forgeable Host)', async () => {
    await assert.rejects(serveLightApp(testSecurity({ deployment: 'production', callbackSecret: secret })), /PUBLIC_URL is required/);
  });
});
