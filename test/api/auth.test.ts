// API keys over a real stack: every API request, read or write, needs `Authorization: Bearer <key>`
// (or the session's viewer token); only the page, health checks, demo keys and the callback stay
// public; and demo mode lets the viewer's page start (only start) sessions without one, handing it
// the new session's viewer token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { ApiKeySet, codecUiToken, keyWithScopes } from '../../src/api/protection/apiKeys.js';
import { securityOptions } from '../../src/api/protection/options.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';
import { type ServedApp, bearer, serveApp, testSecurity } from '../support/servedApp.js';

let stack: TestStack;
let demo: ServedApp;
before(async () => {
  stack = await startTestStack();
  // The same stack behind a second app in demo mode (what `npm start` runs with the stand-ins).
  demo = await serveApp({
    client: stack.client,
    db: stack.db.db,
    taskQueue: stack.config.temporal.taskQueue,
    security: testSecurity({ apiKeys: [stack.apiKey], codec: stack.codec, allowAnonymousSessions: true }),
  });
});
after(async () => {
  await demo?.close();
  await stack?.close();
});

const send = (base: string, method: string, path: string, headers: Record<string, string> = {}, body: unknown = {}) =>
  fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'GET' ? undefined : JSON.stringify(body) });

describe('without a key', () => {
  test('every mutating request is 401 with WWW-Authenticate: Bearer and a JSON error', async () => {
    const cases: [string, string][] = [
      ['POST', '/api/sessions'],
      ['POST', '/api/sessions/abc/connect'],
      ['POST', '/api/sessions/abc/cancel'],
      ['POST', '/api/sessions/abc/failures/redrive'],
      ['PUT', '/api/sessions/abc'],
      ['PATCH', '/api/sessions/abc'],
      ['DELETE', '/api/sessions/abc'],
      ['POST', '/API/SESSIONS'], // Express matches paths case-insensitively; so must the guard
      ['POST', '/api/sessions/'],
      ['POST', '/api/schedules'],
      ['POST', '/codec/decode'],
      ['POST', '/somewhere/else'],
    ];
    for (const [method, path] of cases) {
      const res = await send(stack.apiUrl, method, path, {}, { dataKey: 'demo-small' });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="showprint"');
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'unauthorized');
      assert.match(body.error.message, /Authorization: Bearer/);
    }
  });

  test('a wrong or malformed key is 401 invalid_token; the key is compared whole', async () => {
    for (const authorization of [`Bearer ${stack.apiKey}x`, `Bearer ${stack.apiKey.slice(0, -1)}`, `Bearer ${stack.apiKey.toUpperCase()}`]) {
      const res = await send(stack.apiUrl, 'POST', '/api/sessions', { authorization });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }
    for (const authorization of [stack.apiKey, `Basic ${stack.apiKey}`, `Bearer`, `Bearer ${stack.apiKey} extra`]) {
      assert.equal((await send(stack.apiUrl, 'POST', '/api/sessions', { authorization })).status, 401, authorization.slice(0, 12));
    }
  });

  test('reads are closed too: list, state, report, events, failures, schedule, metrics, codec and keys are 401', async () => {
    const closed = [
      '/api/sessions',
      '/api/sessions?state=COMPLETED',
      '/api/sessions/nope',
      '/api/sessions/nope/report',
      '/api/sessions/nope/events',
      '/api/sessions/nope/failures',
      '/api/sessions/nope/schedule',
      '/api/keys',
      '/metrics',
      '/API/SESSIONS',
      '/api/sessions/',
    ];
    for (const path of closed) {
      const res = await fetch(`${stack.apiUrl}${path}`);
      // 401, not 404: an anonymous caller cannot even learn whether a session exists.
      assert.equal(res.status, 401, `GET ${path}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="showprint"', `GET ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
    // With the key the same reads answer as before.
    assert.equal((await send(stack.apiUrl, 'GET', '/api/sessions', bearer(stack.apiKey))).status, 200);
    assert.equal((await send(stack.apiUrl, 'GET', '/api/sessions/nope', bearer(stack.apiKey))).status, 404);
    assert.equal((await send(stack.apiUrl, 'GET', '/api/sessions/nope/report', bearer(stack.apiKey))).status, 404);
    assert.equal((await send(stack.apiUrl, 'GET', '/metrics', bearer(stack.apiKey))).status, 200);
  });

  test('what stays public: the page and its files, health checks, demo keys', async () => {
    for (const path of ['/', '/app.js', '/session-states.js', '/healthz', '/readyz', '/api/demo-keys']) {
      assert.equal((await fetch(`${stack.apiUrl}${path}`)).status, 200, `GET ${path}`);
    }
    // A stale or foreign credential does not break the page shell.
    assert.equal((await fetch(`${stack.apiUrl}/`, { headers: bearer('not-the-key-0123456789') })).status, 200);
  });
});

test('with the key (any case of "Bearer") a session starts and completes', async () => {
  const res = await send(stack.apiUrl, 'POST', '/api/sessions', { authorization: `bearer ${stack.apiKey}` }, { dataKey: 'demo-small' });
  assert.equal(res.status, 202);
  const { sessionId } = (await res.json()) as { sessionId: string };
  assert.equal((await send(stack.apiUrl, 'POST', `/api/sessions/${sessionId}/cancel`, bearer(stack.apiKey))).status, 202);
  assert.equal((await waitForState(stack, sessionId, ['FAILED', 'COMPLETED'], 60_000)).state, 'FAILED');
});

test('demo mode: the page may start a session without a key and gets its viewer token, which connects it but cancels nothing', async () => {
  // Exactly what src/api/web/app.js sends.
  const res = await fetch(`${demo.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({}),
  });
  assert.equal(res.status, 202);
  const { sessionId, viewerToken } = (await res.json()) as { sessionId: string; viewerToken?: string };
  assert.ok(viewerToken && viewerToken.startsWith(`spv2.${sessionId}.`), 'the creator of the session gets its viewer token');
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, new RegExp(`^sp_viewer=${viewerToken.replaceAll('.', '\\.')};`));
  assert.match(cookie, new RegExp(`Path=/api/sessions/${sessionId}(;|$)`));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);

  // Without the token: nothing but the start.
  assert.equal((await send(demo.url, 'GET', `/api/sessions/${sessionId}`)).status, 401);
  assert.equal((await send(demo.url, 'POST', `/api/sessions/${sessionId}/connect`, {}, { dataKey: 'demo-small' })).status, 401);
  assert.equal((await send(demo.url, 'POST', `/api/sessions/${sessionId}/cancel`)).status, 401);
  // An anonymous caller may not name a session at all (existing or not): one answer, no token, no probe.
  for (const named of [sessionId, `anon-${Date.now()}`]) {
    const again = await send(demo.url, 'POST', '/api/sessions', {}, { sessionId: named });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'session_id_not_allowed');
    assert.equal(again.headers.get('set-cookie'), null);
  }
  // A key that is presented must be right: no silent downgrade to anonymous.
  assert.equal((await send(demo.url, 'POST', '/api/sessions', bearer('not-the-key-0123456789'))).status, 401);

  // With the token: its own session's reads and connect; an operator's cancel is still out of reach.
  assert.equal((await send(demo.url, 'GET', `/api/sessions/${sessionId}`, bearer(viewerToken))).status, 200);
  const cancel = await send(demo.url, 'POST', `/api/sessions/${sessionId}/cancel`, bearer(viewerToken));
  assert.equal(cancel.status, 403);
  assert.equal(((await cancel.json()) as { error: { code: string } }).error.code, 'insufficient_scope');
  assert.equal((await send(demo.url, 'POST', `/api/sessions/${sessionId}/connect`, bearer(viewerToken), { dataKey: 'demo-small' })).status, 202);
  assert.equal((await send(demo.url, 'POST', `/api/sessions/${sessionId}/cancel`, bearer(stack.apiKey))).status, 202);
  assert.equal((await waitForState({ apiUrl: demo.url, apiKey: stack.apiKey }, sessionId, ['FAILED', 'COMPLETED'], 60_000)).state, 'FAILED');
});

test('without demo mode an anonymous start is 401 like every other request', async () => {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataKey: 'demo-small' }) });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('set-cookie'), null);
});

test('ALLOW_ANONYMOUS_SESSIONS: explicit config wins over the entry point’s default', () => {
  const codec = stack.codec;
  assert.equal(securityOptions(loadConfig({}), { apiKeys: ['k'], codec, deploymentByDefault: 'local' }).allowAnonymousSessions, false);
  assert.equal(securityOptions(loadConfig({}), { apiKeys: ['k'], codec, anonymousByDefault: true, deploymentByDefault: 'local' }).allowAnonymousSessions, true);
  assert.equal(securityOptions(loadConfig({ ALLOW_ANONYMOUS_SESSIONS: 'false' }), { apiKeys: ['k'], codec, anonymousByDefault: true, deploymentByDefault: 'local' }).allowAnonymousSessions, false);
  assert.equal(securityOptions(loadConfig({ ALLOW_ANONYMOUS_SESSIONS: 'true' }), { apiKeys: ['k'], codec, deploymentByDefault: 'local' }).allowAnonymousSessions, true);
});

test('key matching: any configured key, of any length; a non-secret id names the client', () => {
  const keys = new ApiKeySet(['short-but-valid-key', 'a-much-longer-key-'.repeat(5), 'third-key-0123456789']);
  assert.ok(keys.match('third-key-0123456789'));
  assert.ok(keys.match('a-much-longer-key-'.repeat(5)));
  assert.equal(keys.match('third-key-012345678'), undefined);
  assert.equal(keys.match(''), undefined);
  assert.notEqual(keys.match('short-but-valid-key'), keys.match('third-key-0123456789'));
  assert.ok(!String(keys.match('short-but-valid-key')).includes('short'));
});

test('scoped keys: `<key>` has every scope, `<key>:read+write` only those; the key matches without its scopes', () => {
  const keys = new ApiKeySet(['every-scope-key-0123456789', 'reader-writer-key-0123456789:read+write', 'admin-only-key-0123456789:admin']);
  assert.deepEqual(keys.match('every-scope-key-0123456789')?.scopes, ['read', 'write', 'admin']);
  assert.deepEqual(keys.match('reader-writer-key-0123456789')?.scopes, ['read', 'write']);
  assert.deepEqual(keys.match('admin-only-key-0123456789')?.scopes, ['admin']);
  assert.equal(keys.match('reader-writer-key-0123456789:read+write'), undefined, 'the scope suffix is not part of the key');
  assert.deepEqual(
    keys.list().map((k) => k.scopes),
    [['read', 'write', 'admin'], ['read', 'write'], ['admin']],
  );
  assert.ok(!JSON.stringify(keys.list()).includes('key-0123456789'), 'the list names keys by id only');
});

test('codec URL tokens: only for keys that may read, from the codec secret alone (rotating it voids them all)', () => {
  const secret = 'codec-token-secret-for-the-auth-suite-0123';
  const entries = ['reader-key-0123456789:read', 'writer-key-0123456789:write', 'admin-key-0123456789:admin', 'every-scope-key-0123456789'];
  const keys = new ApiKeySet(entries, secret);
  assert.ok(keys.matchCodecToken(codecUiToken(secret, entries[0])));
  assert.ok(keys.matchCodecToken(codecUiToken(secret, entries[3])));
  assert.equal(keys.matchCodecToken(codecUiToken(secret, entries[1])), undefined, 'a write-only key has no codec token');
  assert.equal(keys.matchCodecToken(codecUiToken(secret, entries[2])), undefined, 'an admin-only key has no codec token');
  assert.equal(keys.matchCodecToken(codecUiToken('another-codec-secret-0123456789abcdef', entries[0])), undefined, 'another secret, another token');
  assert.equal(new ApiKeySet(entries).matchCodecToken(codecUiToken(secret, entries[0])), undefined, 'no secret, no codec tokens');
  // The token is the same for the entry and the bare key, and says nothing of the key itself.
  assert.equal(codecUiToken(secret, entries[0]), codecUiToken(secret, 'reader-key-0123456789'));
  assert.ok(!codecUiToken(secret, entries[0]).includes('reader'));
});

test('npm start picks the key part of a scoped entry that can start and read sessions, or says which scope is missing', () => {
  assert.deepEqual(keyWithScopes(['admin-only-key-0123456789:admin', 'full-key-0123456789:read+write+admin'], ['read', 'write']), { key: 'full-key-0123456789' });
  assert.deepEqual(keyWithScopes(['bare-key-0123456789'], ['read', 'write']), { key: 'bare-key-0123456789' });
  assert.deepEqual(keyWithScopes(['reader-key-0123456789:read', 'admin-key-0123456789:admin'], ['read', 'write']), { missing: ['write'] });
  // Each scope exists on some key, but no key has both: nothing is missing overall, and still no key fits.
  assert.deepEqual(keyWithScopes(['reader-key-0123456789:read', 'writer-key-0123456789:write'], ['read', 'write']), { missing: [] });
});
