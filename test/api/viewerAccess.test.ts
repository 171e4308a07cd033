// Viewer access that can be taken back, and what a deployment must not trust (issue 24): the token
// epoch (revoking logs out every device), one-time short-lived hand-off codes that never extend a
// token, share-link revocation reaching hand-offs, forget receipts naming the operator key, reports
// never cached, a terse public /readyz, failed authentication limited on every method, a cap on
// progress streams, and `trust proxy` / production cookies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ViewerTokens } from '../../src/api/protection/viewerTokens.js';
import { HANDOFF_TTL_MS } from '../../src/api/share/handoff.js';
import { keyId } from '../../src/api/protection/apiKeys.js';
import { type ServedApp, auditRecorder, bearer, serveApp, testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

const SECRET = 'viewer-access-suite-secret-0123456789abcdef';
const viewerTokens = new ViewerTokens(SECRET, 60 * 60 * 1000);

let stack: TestStack;
let app: ServedApp;
let sessionId = '';
let token = '';
const audit = auditRecorder();

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${app.url}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
const cookieOf = (res: Response) => /^sp_viewer=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

before(async () => {
  stack = await startTestStack();
  app = await serveApp({ client: stack.client, db: stack.db.db, taskQueue: stack.config.temporal.taskQueue, audit, security: testSecurity({ apiKeys: [stack.apiKey], codec: stack.codec, viewerTokens }) });
  const res = await call('POST', '/api/sessions', bearer(stack.apiKey), { dataKey: 'demo-small' });
  assert.equal(res.status, 202);
  ({ sessionId, viewerToken: token } = (await res.json()) as { sessionId: string; viewerToken: string });
  await waitForState({ apiUrl: app.url, apiKey: stack.apiKey }, sessionId, ['COMPLETED']);
});

after(async () => {
  await app?.close();
  await stack?.close();
});

/** A fresh hand-off link made with `as`; its code. */
async function handoff(as: string): Promise<string> {
  const res = await call('POST', `/api/sessions/${sessionId}/handoff`, bearer(as));
  assert.equal(res.status, 200);
  const { url, expiresAt } = (await res.json()) as { url: string; expiresAt: string };
  const expiry = new Date(expiresAt).getTime() - Date.now();
  assert.ok(expiry > 0 && expiry <= HANDOFF_TTL_MS, `a hand-off lasts minutes: ${expiry} ms`);
  const code = /#handoff=([A-Za-z0-9_-]{43})$/.exec(url)?.[1];
  assert.ok(code, url);
  assert.ok(!url.includes('spv'), 'the link carries a code, never a token');
  return code;
}
const redeem = (code: string, headers: Record<string, string> = {}) => call('POST', `/api/sessions/${sessionId}/handoff/redeem`, headers, { code });

describe('hand-off links', () => {
  test('a code is traded once for a cookie that opens the session and expires with the token that asked for it', async () => {
    const code = await handoff(token);
    const first = await redeem(code);
    assert.equal(first.status, 204);
    const cookie = cookieOf(first);
    assert.ok(cookie);
    const given = viewerTokens.check(cookie);
    const asker = viewerTokens.check(token);
    assert.ok(given.ok && asker.ok && given.sessionId === sessionId);
    assert.ok(given.expiresAt.getTime() <= asker.expiresAt.getTime(), 'a hand-off never renews the token that asked for it');
    assert.equal((await call('GET', `/api/sessions/${sessionId}`, { cookie: `sp_viewer=${cookie}` })).status, 200);
    // Used once: the second trade is the same 404 as an unknown code, and sets nothing.
    const second = await redeem(code);
    assert.equal(second.status, 404);
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'handoff_expired');
    assert.equal(second.headers.get('set-cookie'), null);
    // A token minted from the hand-off's token asks for a hand-off in turn: still bounded by the first.
    const chained = cookieOf(await redeem(await handoff(cookie)));
    const third = viewerTokens.check(chained ?? '');
    assert.ok(third.ok && third.expiresAt.getTime() <= asker.expiresAt.getTime());
  });

  test('an expired code is refused', async () => {
    const code = await handoff(token);
    await stack.db.db.updateTable('handoff_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('session_id', '=', sessionId).execute();
    assert.equal((await redeem(code)).status, 404);
  });

  test("a code is for its own session only, and a phone's stale, revoked cookie does not stop the trade", async () => {
    const code = await handoff(token);
    const other = await call('POST', `/api/sessions/not-${sessionId}/handoff/redeem`, {}, { code });
    assert.equal(other.status, 404);
    const res = await redeem(code, { cookie: 'sp_viewer=spv2.garbage' });
    assert.equal(res.status, 204);
  });

  test('revoking share links ends hand-off links not yet opened', async () => {
    const code = await handoff(token);
    assert.equal((await call('DELETE', `/api/sessions/${sessionId}/share-links`, bearer(token))).status, 200);
    assert.equal((await redeem(code)).status, 404);
  });
});

describe('revoking every device (token epoch)', () => {
  test('after a revoke no token of the old epoch opens anything (header or cookie), nor do its hand-off codes; a new start is needed', async () => {
    // A second device's cookie and a hand-off not yet opened.
    const secondDevice = cookieOf(await redeem(await handoff(token)));
    assert.ok(secondDevice);
    const pending = await handoff(token);
    const res = await call('DELETE', `/api/sessions/${sessionId}/viewer-tokens`, bearer(secondDevice));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { revoked: true, epoch: 1 });
    assert.match(res.headers.get('set-cookie') ?? '', /^sp_viewer=;/, 'the revoking device is logged out too');
    for (const headers of [bearer(token), { cookie: `sp_viewer=${secondDevice}` }, bearer(viewerTokens.issue(sessionId).token)]) {
      const refused = await call('GET', `/api/sessions/${sessionId}/report`, headers);
      assert.equal(refused.status, 401, JSON.stringify(headers));
      assert.match(((await refused.json()) as { error: { message: string } }).error.message, /revoked/);
    }
    assert.equal((await redeem(pending)).status, 404);
    // A token of the new epoch works (what an admin-issued fresh start would carry).
    assert.equal((await call('GET', `/api/sessions/${sessionId}`, bearer(viewerTokens.issue(sessionId, { epoch: 1 }).token))).status, 200);
    // An operator's admin key may revoke too (a stolen token reported to support).
    assert.equal((await call('DELETE', `/api/sessions/${sessionId}/viewer-tokens`, bearer(stack.apiKey))).status, 200);
    assert.equal((await call('GET', `/api/sessions/${sessionId}`, bearer(viewerTokens.issue(sessionId, { epoch: 1 }).token))).status, 401);
    token = viewerTokens.issue(sessionId, { epoch: 2 }).token;
    // The audit trail names who revoked: the viewer, then the operator key by its id.
    const revokes = audit.lines.filter((l) => l.action === 'revoke_viewer_tokens' && l.sessionId === sessionId).map((l) => l.actor);
    assert.deepEqual(revokes, ['viewer', `key:${keyId(stack.apiKey)}`]);
  });
});

describe('what a deployment must not trust or keep', () => {
  test('reports are never cached, the latest or a given version', async () => {
    for (const path of [`/api/sessions/${sessionId}/report`, `/api/sessions/${sessionId}/report?version=1`]) {
      const res = await call('GET', path, bearer(token));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
  });

  test('the public /readyz says ready or not, nothing more; an admin sees each check', async () => {
    const open = await call('GET', '/readyz');
    assert.deepEqual(await open.json(), { ready: true });
    assert.equal((await call('GET', '/api/control/readiness')).status, 401);
    const detailed = (await (await call('GET', '/api/control/readiness', bearer(stack.apiKey))).json()) as { ready: boolean; checks: Record<string, string> };
    assert.deepEqual(detailed, { ready: true, checks: { database: 'ok', migrations: 'ok', temporal: 'ok' } });
  });

  test('failed authentication is rate limited on every method, GET included', async () => {
    const limited = await serveApp({ client: stack.client, db: stack.db.db, security: testSecurity({ apiKeys: [stack.apiKey], codec: stack.codec, viewerTokens, rateLimit: { rate: 1, burst: 20 } }) });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await fetch(`${limited.url}/api/sessions`, { headers: bearer(`wrong-key-${i}-0123456789abcdef`) })).status);
      assert.ok(statuses.slice(0, 20).every((s) => s === 401), statuses.join(','));
      assert.ok(statuses.filter((s) => s === 429).length >= 35, `wrong keys on GET got ${statuses.filter((s) => s === 429).length} 429s of 60`);
      // A valid key is its own bucket, and reads stay unlimited.
      assert.equal((await fetch(`${limited.url}/api/sessions`, { headers: bearer(stack.apiKey) })).status, 200);
    } finally {
      await limited.close();
    }
  });

  test('progress streams are capped per caller', async () => {
    const controllers: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const controller = new AbortController();
        controllers.push(controller);
        statuses.push((await fetch(`${app.url}/api/sessions/${sessionId}/events`, { headers: bearer(stack.apiKey), signal: controller.signal }).catch(() => ({ status: 0 }))).status);
      }
      // A finished session's stream ends at once and frees its place: nine in a row are fine.
      assert.ok(statuses.every((s) => s === 200), statuses.join(','));
    } finally {
      for (const c of controllers) c.abort();
    }
    // A waiting session's streams stay open: the ninth and tenth are refused.
    const running = await call('POST', '/api/sessions', bearer(stack.apiKey), {});
    const { sessionId: waiting } = (await running.json()) as { sessionId: string };
    await waitForState({ apiUrl: app.url, apiKey: stack.apiKey }, waiting, ['AWAITING_CONNECTION']);
    const open: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const controller = new AbortController();
        open.push(controller);
        const res = await fetch(`${app.url}/api/sessions/${waiting}/events`, { headers: bearer(stack.apiKey), signal: controller.signal });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [...Array(8).fill(200), 429, 429]);
    } finally {
      for (const c of open) c.abort();
    }
    await call('POST', `/api/sessions/${waiting}/cancel`, bearer(stack.apiKey));
  });

  test('behind a TLS proxy (TRUST_PROXY) and in production the viewer cookie is Secure; links name PUBLIC_URL, never the Host header', async () => {
    const production = await serveApp({
      client: stack.client,
      db: stack.db.db,
      publicUrl: 'https://showprint.example',
      security: testSecurity({ apiKeys: [stack.apiKey], codec: stack.codec, viewerTokens, deployment: 'production', trustProxy: 'loopback' }),
    });
    try {
      const start = await fetch(`${production.url}/api/sessions`, { method: 'POST', headers: { ...bearer(stack.apiKey), 'content-type': 'application/json' }, body: '{}' });
      assert.equal(start.status, 202);
      assert.match(start.headers.get('set-cookie') ?? '', /; Secure/);
      const { viewerToken, sessionId: id } = (await start.json()) as { viewerToken: string; sessionId: string };
      const made = await fetch(`${production.url}/api/sessions/${id}/handoff`, { method: 'POST', headers: { ...bearer(viewerToken), host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
      const { url } = (await made.json()) as { url: string };
      assert.ok(url.startsWith('https://showprint.example/?session='), url);
      await fetch(`${production.url}/api/sessions/${id}/cancel`, { method: 'POST', headers: bearer(stack.apiKey) });
    } finally {
      await production.close();
    }
    // Locally, a request forwarded as HTTPS by a trusted proxy gets a Secure cookie; an untrusted one does not.
    for (const [trustProxy, secure] of [['loopback', true], [undefined, false]] as const) {
      const local = await serveApp({ client: stack.client, db: stack.db.db, security: testSecurity({ apiKeys: [stack.apiKey], codec: stack.codec, viewerTokens, trustProxy }) });
      try {
        const res = await fetch(`${local.url}/api/sessions/${sessionId}/viewer-cookie`, { method: 'POST', headers: { ...bearer(token), 'x-forwarded-proto': 'https' } });
        assert.equal(res.status, 204);
        assert.equal(/; Secure/.test(res.headers.get('set-cookie') ?? ''), secure, `trust proxy ${trustProxy}`);
      } finally {
        await local.close();
      }
    }
  });

  test('a forget by an operator key names that key in its receipt', async () => {
    const res = await call('DELETE', `/api/sessions/${sessionId}`, bearer(stack.apiKey));
    assert.equal(res.status, 200);
    const { receipt } = (await res.json()) as { receipt: { requestedBy: string; operatorKeyId?: string } };
    assert.equal(receipt.requestedBy, 'operator');
    assert.equal(receipt.operatorKeyId, keyId(stack.apiKey));
    assert.deepEqual(audit.lines.filter((l) => l.action === 'forget').map((l) => l.actor), [`key:${keyId(stack.apiKey)}`]);
    // Its id is gone for good: a start with it finds the tombstone and starts nothing.
    const again = await call('POST', '/api/sessions', bearer(stack.apiKey), { sessionId, dataKey: 'demo-small' });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'session_erased');
  });
});
