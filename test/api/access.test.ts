// The access suite: every route's rule read off the app itself, checked against an explicit table,
// then exercised over a real stack with real sessions: every credential (none, malformed, forged,
// expired, another session's token, each single operator scope, the session's own token by header
// and by cookie) on every route, the viewer token's specifics (cookie = header, CSRF guard on cookie
// changes, no token handed out for someone else's session), and a seeded fuzz of 1,000+ requests
// asserting no 5xx and no private data leaking to a credential that does not open it.
//
// Destructive calls (cancel, forget, redrive) never run against the sessions the suite still needs:
// when the credential is expected to be ALLOWED there, the request goes to GHOST, a session id that
// does not exist (and, for a viewer credential, with GHOST's own viewer token), so "allowed" shows
// as the route's own 404 not_found while a refusal stays 401/403. Other changing routes run on the
// real sessions with a body that fails validation after the access check (connect {}, schedule {}),
// or on a schedule that does not exist (pause/resume/delete → 404 no_schedule), or start a session
// that already runs (POST /api/sessions {sessionId: D} → 200 created:false): allowed-ness is visible
// and nothing changes.
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, type Server, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import fc from 'fast-check';
import { createApp } from '../../src/api/app.js';
import { type AccessPolicy, allow } from '../../src/api/protection/access.js';
import { codecUiToken } from '../../src/api/protection/apiKeys.js';
import type { OperatorScope } from '../../src/config/apiKeys.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { ViewerTokens } from '../../src/api/protection/viewerTokens.js';
import { TEST_CODEC_TOKEN_SECRET, testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

// ─── Part a: the routes and their policies, from the app itself ─────────────────────────────────

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean | undefined>; stack: { handle: unknown }[] };
  handle: unknown;
  rawPath?: unknown;
}

interface EnumeratedRoute {
  method: string;
  path: string;
  /** Every policy found on the route's handlers, with the handler's position. */
  policies: { policy: AccessPolicy; at: number }[];
}

const joinPath = (prefix: string, p: string) => `${prefix.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}`.replace(/\/+$/, '') || '/';

/** Walks Express 5's router stack (router v2 layers): routes, and routers mounted at `layer.rawPath`. */
function enumerateRoutes(app: express.Express): EnumeratedRoute[] {
  const out: EnumeratedRoute[] = [];
  const walk = (stack: RouteLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const route = layer.route;
        const paths = Array.isArray(route.path) ? route.path : [route.path];
        const policies = route.stack.flatMap((l, at) => {
          const policy = (l.handle as { policy?: AccessPolicy } | undefined)?.policy;
          return policy ? [{ policy, at }] : [];
        });
        for (const p of paths) {
          for (const [m, on] of Object.entries(route.methods)) if (on) out.push({ method: m === '_all' ? 'ALL' : m.toUpperCase(), path: joinPath(prefix, p), policies });
        }
      } else {
        const inner = (layer.handle as { stack?: unknown } | undefined)?.stack;
        if (Array.isArray(inner)) {
          assert.equal(typeof layer.rawPath, 'string', 'a mounted router with a non-string mount path: teach enumerateRoutes about it');
          walk(inner as RouteLayer[], joinPath(prefix, layer.rawPath as string));
        }
      }
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack, '');
  return out;
}

/** What is wrong with the enumerated routes' policies: missing, doubled, or not first. */
function policyProblems(routes: EnumeratedRoute[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    const name = `${r.method} ${r.path}`;
    if (r.policies.length === 0) problems.push(`${name} has no allow() policy`);
    else if (r.policies.length > 1) problems.push(`${name} has ${r.policies.length} allow() policies`);
    else if (r.policies[0].at !== 0) problems.push(`${name} runs ${r.policies[0].at} handler(s) before its allow() policy`);
  }
  const seen = new Set<string>();
  for (const r of routes) {
    const name = `${r.method} ${r.path}`;
    if (seen.has(name)) problems.push(`${name} is declared twice`);
    seen.add(name);
  }
  return problems;
}

const READ_OR_CODEC: AccessPolicy = { scope: 'read', codecToken: true };
/**
 * Every route and its rule. A new route, or a changed rule, fails the suite until this table (and
 * so the review of who may call it) is updated.
 */
const EXPECTED_ROUTES: Record<string, AccessPolicy> = {
  'POST /codec/encode': READ_OR_CODEC,
  'POST /codec/decode': READ_OR_CODEC,
  'POST /codec/ui/:token/encode': READ_OR_CODEC,
  'POST /codec/ui/:token/decode': READ_OR_CODEC,
  'GET /healthz': { public: true },
  'GET /readyz': { public: true },
  'GET /metrics': { scope: 'read' },
  'GET /api/keys': { scope: 'admin' },
  'POST /api/sessions': { scope: 'write', demoAnonymous: true },
  'GET /api/sessions': { scope: 'read' },
  'GET /api/sessions/:id': { scope: 'read', viewer: true },
  'GET /api/sessions/:id/report': { scope: 'read', viewer: true },
  'GET /api/sessions/:id/years': { scope: 'read', viewer: true },
  'POST /api/sessions/:id/connect': { scope: 'write', viewer: true },
  'POST /api/sessions/:id/cancel': { scope: 'write' },
  'DELETE /api/sessions/:id': { scope: 'admin', viewer: true },
  'POST /api/sessions/:id/viewer-cookie': { viewer: true },
  'GET /api/sessions/:id/failures': { scope: 'read' },
  'POST /api/sessions/:id/failures/redrive': { scope: 'write' },
  'POST /api/sessions/:id/schedule': { scope: 'write' },
  'GET /api/sessions/:id/schedule': { scope: 'read' },
  'POST /api/sessions/:id/schedule/pause': { scope: 'write' },
  'POST /api/sessions/:id/schedule/resume': { scope: 'write' },
  'DELETE /api/sessions/:id/schedule': { scope: 'write' },
  'GET /api/sessions/:id/events': { scope: 'read', viewer: true },
  // Publishing cards and minting a hand-off are the viewer's own: no operator key mints a viewer's
  // capability. Revoking (links, or every device's token) is the viewer's, or an admin's.
  'POST /api/sessions/:id/share-links': { viewer: true },
  'DELETE /api/sessions/:id/share-links': { scope: 'admin', viewer: true },
  'POST /api/sessions/:id/handoff': { viewer: true },
  // The one-time code in a hand-off link is the capability; credentials are ignored (a phone's stale cookie).
  'POST /api/sessions/:id/handoff/redeem': { public: true },
  'DELETE /api/sessions/:id/viewer-tokens': { scope: 'admin', viewer: true },
  'GET /api/control/readiness': { scope: 'admin' },
  // Blends: inviting and accepting are the viewer's own acts; revoking an invitation, the viewer's or
  // an admin's. A Blend is read by its two viewers (each from their own session's path) and `read`
  // operators, and hidden from everyone else: the same 404 as a Blend that does not exist.
  'POST /api/sessions/:id/blend-invitations': { viewer: true },
  'DELETE /api/sessions/:id/blend-invitations/:invitationId': { scope: 'admin', viewer: true },
  'POST /api/sessions/:id/blends': { viewer: true },
  'GET /api/sessions/:id/blends': { scope: 'read', viewer: true },
  'GET /api/sessions/:id/blends/:blendId': { scope: 'read', viewer: true, hidden: true },
  'POST /api/sessions/:id/blends/:blendId/share-links': { viewer: true },
  'GET /share/blend/:token': { public: true },
  'GET /share/blend/:token/image.png': { public: true },
  'GET /share/blend/:token/story.png': { public: true },
  // A year's cards are shared like the report's: by the viewer, opened by anyone with the link.
  'POST /api/sessions/:id/year-share-links': { viewer: true },
  'GET /share/year/:token': { public: true },
  'GET /share/year/:token/image.png': { public: true },
  'GET /share/year/:token/story.png': { public: true },
  // A share link is its own capability (a signed token naming one card), checked by the route.
  'GET /share/:token': { public: true },
  'GET /share/:token/image.png': { public: true },
  'GET /share/:token/story.png': { public: true },
  // Operator controls (pause/resume a session, service holds, worker drains), as their routers declare them.
  'POST /api/sessions/:id/pause': { scope: 'admin' },
  'POST /api/sessions/:id/resume': { scope: 'admin' },
  'GET /api/control/services': { scope: 'read' },
  'POST /api/catalog/crawls': { scope: 'write' },
  'GET /api/catalog/crawls': { scope: 'read' },
  'GET /api/catalog/crawls/:id': { scope: 'read' },
  'POST /api/control/services/:service/hold': { scope: 'admin' },
  'DELETE /api/control/services/:service/hold': { scope: 'admin' },
  'GET /api/control/workers': { scope: 'read' },
  'POST /api/control/workers/:identity/drain': { scope: 'admin' },
  'GET /api/callback': { public: true },
  'GET /api/demo-keys': { public: true },
  'GET /session-states.js': { public: true },
};

// ─── The stack, the app under test and its credentials ───────────────────────────────────────────

const VIEWER_SECRET = 'access-suite-viewer-token-secret-0123456789';
const HOUR = 60 * 60 * 1000;
const viewerTokens = new ViewerTokens(VIEWER_SECRET, HOUR);
const GHOST = 'ghost-session-that-does-not-exist';

const baseKey = () => generateApiKey();
const KEYS = { read: baseKey(), write: baseKey(), admin: baseKey() };

let stack: TestStack;
let app: express.Express;
let server: Server;
let base: { host: string; port: number; origin: string };
/** A and B: completed sessions; C: completed, for the anonymous re-start check; D: running, awaiting connection. */
const S = { A: '', B: '', C: '', D: '' };
const tokens = { A: '', B: '' };
/** Strings only A's and B's reports hold (both are demo-small: the same report, each with its own sessionId). */
let reportMarkers: string[] = [];

before(async () => {
  stack = await startTestStack();
  const security = testSecurity({
    apiKeys: [`${KEYS.read}:read`, `${KEYS.write}:write`, `${KEYS.admin}:admin`, stack.apiKey],
    codec: stack.codec,
    viewerTokens,
    allowAnonymousSessions: true,
    rateLimit: { rate: 1_000_000, burst: 1_000_000 },
  });
  app = createApp({ client: stack.client, db: stack.db.db, taskQueue: stack.config.temporal.taskQueue, settings: stack.config.pipeline, security, sessionKeys: stack.sessionKeys });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  base = { host: '127.0.0.1', port, origin: `http://127.0.0.1:${port}` };

  const start = async (body: Record<string, unknown>) => {
    const res = await send('POST', '/api/sessions', { authorization: `Bearer ${stack.apiKey}` }, body);
    assert.equal(res.status, 202, res.body);
    return JSON.parse(res.body) as { sessionId: string; viewerToken: string };
  };
  const [a, b, c, d] = await Promise.all([start({ dataKey: 'demo-small' }), start({ dataKey: 'demo-small' }), start({ dataKey: 'demo-small' }), start({})]);
  Object.assign(S, { A: a.sessionId, B: b.sessionId, C: c.sessionId, D: d.sessionId });
  Object.assign(tokens, { A: a.viewerToken, B: b.viewerToken });
  const api = { apiUrl: base.origin, apiKey: stack.apiKey };
  await Promise.all([waitForState(api, S.A, ['COMPLETED']), waitForState(api, S.B, ['COMPLETED']), waitForState(api, S.C, ['COMPLETED']), waitForState(api, S.D, ['AWAITING_CONNECTION'])]);
  const report = JSON.parse((await send('GET', `/api/sessions/${S.A}/report`, { authorization: `Bearer ${stack.apiKey}` })).body) as {
    firstShow?: { name: string } | null;
    mostWatchedShow?: { name: string; summary: string } | null;
    personality?: { quip: string } | null;
    firstShowQuip?: string | null;
  };
  reportMarkers = [report.firstShow?.name, report.mostWatchedShow?.name, report.mostWatchedShow?.summary, report.personality?.quip, report.firstShowQuip].filter(
    (s): s is string => typeof s === 'string' && s.length >= 6,
  );
  assert.ok(reportMarkers.length >= 3, `A's report has too few distinctive strings: ${JSON.stringify(report).slice(0, 300)}`);
});

after(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server?.closeAllConnections();
  await stack?.close();
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request (paths go out exactly as written); an event stream is cut after its headers. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    // No keep-alive: a pooled socket the server is just closing (both sides time out idle ones after
    // 5 s) fails the next request with ECONNRESET after any slow call.
    const req = request(
      { host: base.host, port: base.port, method, path, agent: false, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers } },
      (res) => {
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          res.destroy();
          req.destroy();
          return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// ─── Credentials and the oracle ──────────────────────────────────────────────────────────────────

type Cred =
  | { name: string; kind: 'none' }
  | { name: string; kind: 'refused'; via: 'header' | 'cookie'; value: string }
  | { name: string; kind: 'viewer'; via: 'header' | 'cookie'; session: string; token: string }
  | { name: string; kind: 'operator'; scopes: readonly OperatorScope[]; key: string };

const credHeaders = (c: Cred): Record<string, string> => {
  if (c.kind === 'none') return {};
  if (c.kind === 'operator') return { authorization: `Bearer ${c.key}` };
  const value = c.kind === 'viewer' ? c.token : c.value;
  return c.via === 'header' ? { authorization: `Bearer ${value}` } : { cookie: `sp_viewer=${value}` };
};

const viewer = (session: keyof typeof S | string, via: 'header' | 'cookie', token?: string): Cred => {
  const id = session in S ? S[session as keyof typeof S] : session;
  return { name: `viewer ${session} (${via})`, kind: 'viewer', via, session: id, token: token ?? viewerTokens.issue(id).token };
};
const operator = (name: string, key: string, scopes: readonly OperatorScope[]): Cred => ({ name, kind: 'operator', key, scopes });

/** Credentials that must never open anything but the page shell (made lazily: they need A's id). */
function refusedCreds(): Cred[] {
  const expired = new ViewerTokens(VIEWER_SECRET, HOUR, () => Date.now() - 2 * HOUR).issue(S.A).token;
  const real = viewerTokens.issue(S.A).token;
  const forged = `${real.slice(0, real.lastIndexOf('.') + 1)}${real.endsWith('A') ? 'B' : 'A'}${'A'.repeat(42)}`;
  const foreignSecret = new ViewerTokens('some-other-deployments-viewer-secret-000', HOUR).issue(S.A).token;
  return [
    { name: 'malformed bearer', kind: 'refused', via: 'header', value: 'spv2.not-a-token' },
    { name: 'malformed bearer (bare garbage)', kind: 'refused', via: 'header', value: 'x' },
    { name: 'forged token', kind: 'refused', via: 'header', value: forged },
    { name: 'token of another deployment', kind: 'refused', via: 'header', value: foreignSecret },
    { name: 'expired token', kind: 'refused', via: 'header', value: expired },
    { name: 'expired token (cookie)', kind: 'refused', via: 'cookie', value: expired },
    { name: 'wrong API key', kind: 'refused', via: 'header', value: generateApiKey() },
    { name: 'codec UI token as a key', kind: 'refused', via: 'header', value: codecUiToken(TEST_CODEC_TOKEN_SECRET, stack.apiKey) },
    { name: 'garbage cookie', kind: 'refused', via: 'cookie', value: 'garbage' },
    { name: 'forged cookie', kind: 'refused', via: 'cookie', value: forged },
  ];
}

function matrixCreds(): Cred[] {
  return [
    { name: 'none', kind: 'none' },
    ...refusedCreds(),
    viewer('A', 'header', tokens.A),
    viewer('A', 'cookie', tokens.A),
    viewer('B', 'header', tokens.B),
    viewer('B', 'cookie', tokens.B),
    operator('read key', KEYS.read, ['read']),
    operator('write key', KEYS.write, ['write']),
    operator('admin key', KEYS.admin, ['admin']),
    operator('full key', stack.apiKey, ['read', 'write', 'admin']),
  ];
}

type Outcome = { allowed: true } | { allowed: false; status: number; code: string };
const ALLOWED: Outcome = { allowed: true };
const refuse = (status: number, code: string): Outcome => ({ allowed: false, status, code });

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const lower = (p: string) => p.split('?')[0].toLowerCase();
const underApi = (p: string) => /^\/(api|codec|metrics)(\/|$)/.test(lower(p));
const CODEC_UI = /^\/codec\/ui\/([^/]+)\/(?:encode|decode)\/?$/;
const HANDOFF_REDEEM = /^\/api\/sessions\/[^/]+\/handoff\/redeem\/?$/;

/** Whether a segment of the path (a route parameter: only ids are substituted) is not valid percent-encoding (Express cannot decode it). */
function undecodableSession(path: string): boolean {
  return path
    .split('?')[0]
    .split('/')
    .some((segment) => {
      try {
        decodeURIComponent(segment);
        return false;
      } catch {
        return true;
      }
    });
}

function sessionOfPath(path: string): string | undefined {
  const raw = /^\/api\/sessions\/([^/?]+)/i.exec(path)?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The rules as the issue states them. `route` is the matched route (its policy), `path` the concrete
 * path sent, `sameOrigin` whether the request carries this site's Origin (or Sec-Fetch-Site: same-origin).
 */
function expected(method: string, policy: AccessPolicy, path: string, cred: Cred, opts: { sameOrigin: boolean; demo?: boolean }): Outcome {
  const mutating = !SAFE.has(method);
  // The page, its files and health checks ignore credentials altogether, and so does redeeming a hand-off code.
  if (policy.public && (!underApi(path) || HANDOFF_REDEEM.test(lower(path)))) return ALLOWED;
  type Who = { kind: 'anonymous' } | { kind: 'codec' } | Extract<Cred, { kind: 'viewer' | 'operator' }>;
  let who: Who;
  const bearer = cred.kind === 'operator' || ((cred.kind === 'viewer' || cred.kind === 'refused') && cred.via === 'header');
  const uiToken = CODEC_UI.exec(path.split('?')[0])?.[1];
  if (bearer) {
    // A presented credential must be right: no silent downgrade to anonymous.
    if (cred.kind === 'refused') return refuse(401, 'unauthorized');
    who = cred as Who;
  } else if (uiToken !== undefined) {
    // Only keys that may read have a codec token (decoding is reading).
    if (![stack.apiKey, KEYS.read].some((k) => codecUiToken(TEST_CODEC_TOKEN_SECRET, k) === uiToken)) return refuse(401, 'unauthorized');
    who = { kind: 'codec' };
  } else if (cred.kind === 'refused') {
    return refuse(401, 'unauthorized');
  } else if (cred.kind === 'viewer') {
    who = cred;
  } else {
    who = { kind: 'anonymous' };
  }
  if (policy.public) return ALLOWED;
  // A hidden route answers everyone it does not open with its own 404 (a codec token still gets its 401).
  if (policy.hidden && who.kind !== 'codec') {
    if (undecodableSession(path)) return refuse(400, 'bad_request');
    const opens = who.kind === 'operator' ? !!policy.scope && who.scopes.includes(policy.scope) : who.kind === 'viewer' && !!policy.viewer && sessionOfPath(path) === who.session;
    return opens ? ALLOWED : refuse(404, 'not_found');
  }
  switch (who.kind) {
    case 'anonymous':
      return policy.demoAnonymous && (opts.demo ?? true) ? ALLOWED : refuse(401, 'unauthorized');
    case 'codec':
      return policy.codecToken ? ALLOWED : refuse(401, 'unauthorized');
    case 'operator':
      // Past the guard, Express decodes a route's parameters before running any of its handlers, so
      // an id that is not valid percent-encoding is a 400 ahead of the route's own policy.
      if (undecodableSession(path)) return refuse(400, 'bad_request');
      return policy.scope && who.scopes.includes(policy.scope) ? ALLOWED : refuse(403, 'insufficient_scope');
    case 'viewer': {
      const target = sessionOfPath(path);
      if (target === undefined) return refuse(403, 'insufficient_scope');
      if (target !== who.session) return refuse(404, 'not_found');
      if (who.via === 'cookie' && mutating && !opts.sameOrigin) return refuse(403, 'cross_origin');
      return policy.viewer ? ALLOWED : refuse(403, 'insufficient_scope');
    }
  }
}

/** How each route is called so that an allowed call shows as such and changes nothing (see the top). */
interface RouteSpec {
  body?: () => unknown;
  /** Runs against GHOST when allowed. */
  destructive?: true;
  /** The allowed answer on session A (or, when destructive, on GHOST). */
  allowed?: { status: number; code?: string } | ((cred: Cred) => { status: number; code?: string });
}
const SPECS: Record<string, RouteSpec> = {
  'POST /codec/encode': { body: () => ({ payloads: [] }), allowed: { status: 200 } },
  'POST /codec/decode': { body: () => ({ payloads: [] }), allowed: { status: 200 } },
  'POST /codec/ui/:token/encode': { body: () => ({ payloads: [] }), allowed: { status: 200 } },
  'POST /codec/ui/:token/decode': { body: () => ({ payloads: [] }), allowed: { status: 200 } },
  'GET /healthz': { allowed: { status: 200 } },
  'GET /readyz': { allowed: { status: 200 } },
  'GET /api/control/readiness': { allowed: { status: 200 } },
  // Logs every device out: a change, so it runs on GHOST.
  'DELETE /api/sessions/:id/viewer-tokens': { destructive: true, allowed: { status: 404, code: 'not_found' } },
  // No such code: the one answer every dead hand-off link gets.
  'POST /api/sessions/:id/handoff/redeem': { body: () => ({ code: 'A'.repeat(43) }), allowed: { status: 404, code: 'handoff_expired' } },
  'GET /metrics': { allowed: { status: 200 } },
  'GET /api/keys': { allowed: { status: 200 } },
  // D is running: an operator's second start finds it (200, created: false, no token); an anonymous
  // caller may not name a session at all.
  'POST /api/sessions': { body: () => ({ sessionId: S.D }), allowed: (c) => (c.kind === 'operator' ? { status: 200 } : { status: 400, code: 'session_id_not_allowed' }) },
  'GET /api/sessions': { allowed: { status: 200 } },
  'GET /api/sessions/:id': { allowed: { status: 200 } },
  'GET /api/sessions/:id/report': { allowed: { status: 200 } },
  'GET /api/sessions/:id/years': { allowed: { status: 200 } },
  'POST /api/sessions/:id/connect': { body: () => ({}), allowed: { status: 400, code: 'invalid_request' } },
  'POST /api/sessions/:id/cancel': { destructive: true, allowed: { status: 404, code: 'not_found' } },
  'DELETE /api/sessions/:id': { destructive: true, allowed: { status: 404, code: 'not_found' } },
  // A is completed: nothing to pause or resume.
  'POST /api/sessions/:id/pause': { body: () => ({}), allowed: { status: 409, code: 'session_finished' } },
  'POST /api/sessions/:id/resume': { allowed: { status: 409, code: 'session_finished' } },
  'GET /api/control/services': { allowed: { status: 200 } },
  // Fails validation after the access check, so no crawl starts.
  'POST /api/catalog/crawls': { body: () => ({ target: 0 }), allowed: { status: 400, code: 'invalid_request' } },
  'GET /api/catalog/crawls': { allowed: { status: 200 } },
  'GET /api/catalog/crawls/:id': { allowed: { status: 404, code: 'not_found' } },
  // The literal `:service` is no service: refused before anything is held or released.
  'POST /api/control/services/:service/hold': { body: () => ({}), allowed: { status: 400, code: 'invalid_request' } },
  'DELETE /api/control/services/:service/hold': { allowed: { status: 400, code: 'invalid_request' } },
  'GET /api/control/workers': { allowed: { status: 200 } },
  // No worker is called `:identity`: nothing is drained.
  'POST /api/control/workers/:identity/drain': { allowed: { status: 404, code: 'no_such_worker' } },
  // Trades the header token for the session's cookie; a cookie caller has no header token to trade.
  'POST /api/sessions/:id/viewer-cookie': { allowed: (c) => (c.kind === 'viewer' && c.via === 'header' ? { status: 204 } : { status: 400, code: 'no_viewer_token' }) },
  'GET /api/sessions/:id/failures': { allowed: { status: 200 } },
  'POST /api/sessions/:id/failures/redrive': { destructive: true, allowed: { status: 404, code: 'not_found' } },
  'POST /api/sessions/:id/schedule': { body: () => ({}), allowed: { status: 400, code: 'invalid_request' } },
  'GET /api/sessions/:id/schedule': { allowed: { status: 404, code: 'no_schedule' } },
  'POST /api/sessions/:id/schedule/pause': { allowed: { status: 404, code: 'no_schedule' } },
  'POST /api/sessions/:id/schedule/resume': { allowed: { status: 404, code: 'no_schedule' } },
  'DELETE /api/sessions/:id/schedule': { allowed: { status: 404, code: 'no_schedule' } },
  'GET /api/sessions/:id/events': { allowed: { status: 200 } },
  // Makes links (nothing is stored); revoking them is a change, so it runs on GHOST.
  'POST /api/sessions/:id/share-links': { allowed: { status: 200 } },
  'DELETE /api/sessions/:id/share-links': { destructive: true, allowed: { status: 404, code: 'not_found' } },
  // A one-time hand-off link to the viewer's own session (checked in assertNoLeak).
  'POST /api/sessions/:id/handoff': { allowed: { status: 200 } },
  // `:token` is not a share token here: the one answer every dead link gets.
  'GET /share/:token': { allowed: { status: 404 } },
  'GET /share/:token/image.png': { allowed: { status: 404, code: 'not_found' } },
  'GET /share/:token/story.png': { allowed: { status: 404, code: 'not_found' } },
  // Makes an invitation row and nothing else.
  'POST /api/sessions/:id/blend-invitations': { allowed: { status: 201 } },
  'DELETE /api/sessions/:id/blend-invitations/:invitationId': { allowed: { status: 404, code: 'no_such_invitation' } },
  // Fails validation after the access check: nothing is accepted.
  'POST /api/sessions/:id/blends': { body: () => ({}), allowed: { status: 400, code: 'invalid_request' } },
  'GET /api/sessions/:id/blends': { allowed: { status: 200 } },
  // No Blend is called `:blendId`: the one 404 (test/api/blend.test.ts reads real Blends).
  'GET /api/sessions/:id/blends/:blendId': { allowed: { status: 404, code: 'not_found' } },
  'POST /api/sessions/:id/blends/:blendId/share-links': { allowed: { status: 404, code: 'not_found' } },
  'GET /share/blend/:token': { allowed: { status: 404 } },
  'GET /share/blend/:token/image.png': { allowed: { status: 404, code: 'not_found' } },
  'GET /share/blend/:token/story.png': { allowed: { status: 404, code: 'not_found' } },
  'POST /api/sessions/:id/year-share-links': { body: () => ({}), allowed: { status: 400, code: 'invalid_request' } },
  'GET /share/year/:token': { allowed: { status: 404 } },
  'GET /share/year/:token/image.png': { allowed: { status: 404, code: 'not_found' } },
  'GET /share/year/:token/story.png': { allowed: { status: 404, code: 'not_found' } },
  // No query: 400 before anything starts.
  'GET /api/callback': { allowed: { status: 400 } },
  'GET /api/demo-keys': { allowed: { status: 200 } },
  'GET /session-states.js': { allowed: { status: 200 } },
};
/** A route nobody described yet: a change is assumed destructive, and only "not refused" is checked. */
const specOf = (r: { method: string; path: string }): RouteSpec => SPECS[`${r.method} ${r.path}`] ?? (SAFE.has(r.method) ? {} : { destructive: true });

let routes: (EnumeratedRoute & { policy: AccessPolicy })[] = [];

const errorCode = (body: string) => {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
};

/**
 * No private data to a credential that does not open it: A's and B's report text only where the
 * call is allowed on A's or B's own routes; a viewer token (spv2.…) never, whoever asks (the start
 * the suite sends names an existing session), except handed back as a cookie to the very viewer who
 * sent it (POST …/viewer-cookie). A hand-off answers with a one-time code, never a token.
 */
function assertNoLeak(label: string, reply: Reply, opts: { allowed: boolean; method: string; routeKey: string; path: string; cred: Cred }) {
  const sessionOpened = opts.allowed && [S.A, S.B].includes(sessionOfPath(opts.path) ?? '');
  for (const m of reportMarkers) if (!sessionOpened) assert.ok(!reply.body.includes(m), `${label}: the body holds A's/B's report text ${JSON.stringify(m)}: ${reply.body.slice(0, 300)}`);
  const ownCookie = opts.allowed && opts.routeKey === 'POST /api/sessions/:id/viewer-cookie' && opts.cred.kind === 'viewer' && opts.cred.via === 'header';
  for (const t of [tokens.A, tokens.B]) {
    assert.ok(!reply.body.includes(t), `${label}: the body holds a session's viewer token`);
    if (!(ownCookie && opts.cred.kind === 'viewer' && opts.cred.token === t)) assert.ok(!String(reply.headers['set-cookie'] ?? '').includes(t), `${label}: a Set-Cookie holds a session's viewer token`);
  }
  const handoff = opts.allowed && opts.routeKey === 'POST /api/sessions/:id/handoff' && reply.status === 200;
  if (handoff) {
    assert.equal(opts.cred.kind, 'viewer', `${label}: only a viewer gets a hand-off link`);
    assert.match(reply.body, new RegExp(`\\?session=${sessionOfPath(opts.path)}#handoff=[A-Za-z0-9_-]{43}"`), `${label}: ${reply.body.slice(0, 300)}`);
  }
  assert.ok(!/spv[12]\./.test(reply.body), `${label}: the body holds a viewer token: ${reply.body.slice(0, 300)}`);
  if (ownCookie && opts.cred.kind === 'viewer') {
    // Exactly the token it sent, for its own session's path.
    const cookie = String(reply.headers['set-cookie'] ?? '');
    assert.ok(cookie.startsWith(`sp_viewer=${opts.cred.token};`) && cookie.includes(`Path=/api/sessions/${opts.cred.session};`), `${label}: ${cookie}`);
  } else {
    assert.ok(!/spv[12]\./.test(String(reply.headers['set-cookie'] ?? '')), `${label}: sets a viewer cookie`);
  }
  if (!opts.allowed && (reply.status === 401 || reply.status === 403) && opts.method !== 'HEAD') {
    // A refusal is the error and nothing else; it does not even name the session.
    assert.deepEqual(Object.keys(JSON.parse(reply.body) as object), ['error'], `${label}: ${reply.body}`);
    for (const id of [S.A, S.B, S.C, S.D]) assert.ok(!reply.body.includes(id), `${label}: a refusal names session ${id}`);
  }
}

const concretePath = (pattern: string, id: string, uiToken = 'not-a-codec-token') => pattern.replace(':id', id).replace(':token', uiToken);

/** Sends one call of `route` with `cred` on session `target`, after the destructive substitution; returns what it checked. */
async function check(route: { method: string; path: string; policy: AccessPolicy }, cred: Cred, target: string, opts: { origin?: string; pathOf?: (id: string) => string; exact?: boolean } = {}) {
  const key = `${route.method} ${route.path}`;
  const spec = specOf(route);
  const sameOrigin = opts.origin === base.origin;
  const pathOf = opts.pathOf ?? ((id: string) => concretePath(route.path, id));
  let path = pathOf(target);
  let exp = expected(route.method, route.policy, path, cred, { sameOrigin });
  let effectiveCred = cred;
  let redirected = false;
  // By the id the server will read (decoded, any case of the path): an encoded A is A.
  if (exp.allowed && spec.destructive && Object.values(S).includes(sessionOfPath(path) ?? '')) {
    redirected = true;
    effectiveCred = cred.kind === 'viewer' ? viewer(GHOST, cred.via) : cred;
    path = pathOf(GHOST);
    exp = expected(route.method, route.policy, path, effectiveCred, { sameOrigin });
    assert.ok(exp.allowed, `${key}: the GHOST substitute must be allowed too`);
  }
  const label = `${route.method} ${path} with ${cred.name}${opts.origin ? ` (Origin ${opts.origin})` : ''}`;
  const reply = await send(route.method, path, { ...credHeaders(effectiveCred), ...(opts.origin ? { origin: opts.origin } : {}) }, spec.body?.());
  assert.ok(reply.status < 500, `${label}: ${reply.status} ${reply.body.slice(0, 300)}`);
  if (exp.allowed) {
    assert.ok(reply.status !== 401 && reply.status !== 403, `${label}: expected to be allowed, got ${reply.status} ${reply.body.slice(0, 300)}`);
    const want = typeof spec.allowed === 'function' ? spec.allowed(effectiveCred) : spec.allowed;
    if (opts.exact !== false && want && (target === S.A || redirected)) {
      assert.equal(reply.status, want.status, `${label}: ${reply.body.slice(0, 300)}`);
      if (want.code) assert.equal(errorCode(reply.body), want.code, `${label}: ${reply.body.slice(0, 300)}`);
    }
  } else {
    assert.equal(reply.status, exp.status, `${label}: expected ${exp.status} ${exp.code}, got ${reply.status} ${reply.body.slice(0, 300)}`);
    // HEAD answers carry no body to read the code from.
    if (route.method !== 'HEAD') assert.equal(errorCode(reply.body), exp.code, `${label}: ${reply.body.slice(0, 300)}`);
    if (exp.status === 401) assert.match(String(reply.headers['www-authenticate'] ?? ''), /^Bearer realm="showprint"/, label);
  }
  assertNoLeak(label, reply, { allowed: exp.allowed, method: route.method, routeKey: key, path, cred: effectiveCred });
  return { exp, reply };
}

// ─── a. Every route declares its access ─────────────────────────────────────────────────────────

describe('every route declares its access with allow()', () => {
  before(() => {
    routes = enumerateRoutes(app).map((r) => ({ ...r, policy: r.policies[0]?.policy ?? {} }));
  });

  test('each route has exactly one policy, as its first handler', () => {
    assert.ok(routes.length >= 20, `only ${routes.length} routes found: is the router walk still right?`);
    assert.deepEqual(policyProblems(routes), []);
  });

  test('the routes and their policies are exactly the reviewed table', () => {
    const found = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.policy]));
    // Compare as plain data (the policy objects are shared with the app).
    assert.deepEqual(JSON.parse(JSON.stringify(found)), JSON.parse(JSON.stringify(EXPECTED_ROUTES)));
  });

  test('each policy is one the rules know, and only public routes are public', () => {
    for (const r of routes) {
      const p = r.policy;
      const keys = Object.keys(p).sort();
      assert.ok(keys.every((k) => ['public', 'scope', 'viewer', 'codecToken', 'demoAnonymous', 'hidden'].includes(k)), `${r.method} ${r.path}: ${keys}`);
      // Hidden only where reading: a change must say why it is refused.
      if (p.hidden) assert.equal(r.method, 'GET', `${r.method} ${r.path}: hidden on a change`);
      if (p.public) assert.deepEqual(keys, ['public'], `${r.method} ${r.path}: public and something else`);
      else assert.ok(p.scope || p.viewer, `${r.method} ${r.path}: neither public, nor a scope, nor a viewer`);
      if (p.viewer) assert.ok(r.path.includes(':id'), `${r.method} ${r.path}: a viewer route without a session id`);
    }
  });

  test('the walk catches a route without allow(), one with two, and one that checks late', () => {
    const probe = express();
    const sub = express.Router();
    sub.get('/open', (_req, res) => void res.end());
    sub.post('/twice', allow({ scope: 'read' }), allow({ scope: 'write' }), (_req, res) => void res.end());
    probe.use('/mounted/:id', sub);
    probe.get('/late', (_req, _res, next) => next(), allow({ scope: 'read' }), (_req, res) => void res.end());
    probe.get('/fine', allow({ public: true }), (_req, res) => void res.end());
    const found = enumerateRoutes(probe);
    assert.deepEqual(
      found.map((r) => `${r.method} ${r.path}`),
      ['GET /mounted/:id/open', 'POST /mounted/:id/twice', 'GET /late', 'GET /fine'],
    );
    assert.deepEqual(policyProblems(found), [
      'GET /mounted/:id/open has no allow() policy',
      'POST /mounted/:id/twice has 2 allow() policies',
      'GET /late runs 1 handler(s) before its allow() policy',
    ]);
  });
});

// ─── b. Every credential on every route ──────────────────────────────────────────────────────────

describe('every credential on every route (sessions A and B, completed)', () => {
  test('each route answers each credential as its policy says', async () => {
    const creds = matrixCreds();
    let calls = 0;
    for (const route of routes) {
      for (const cred of creds) {
        // Cookie changes carry this site's Origin here: the CSRF guard has its own tests below.
        const origin = cred.kind === 'viewer' && cred.via === 'cookie' && !SAFE.has(route.method) ? base.origin : undefined;
        await check(route, cred, S.A, { origin });
        calls++;
      }
    }
    assert.equal(calls, routes.length * creds.length);
  });

  test('without credentials every non-public route is 401; public ones answer', async () => {
    for (const route of routes) {
      const { exp, reply } = await check(route, { name: 'none', kind: 'none' }, S.A);
      if (route.policy.public) assert.equal(exp.allowed, true);
      // A hidden route answers with its own 404, as if there were nothing there.
      else if (route.policy.hidden) assert.equal(reply.status, 404, `${route.method} ${route.path}`);
      else if (!route.policy.demoAnonymous) assert.equal(reply.status, 401, `${route.method} ${route.path}`);
    }
    // The page and its static files too.
    for (const path of ['/', '/app.js', '/index.html']) assert.equal((await send('GET', path)).status, 200, path);
  });

  test('with each single-scope key, exactly the routes of that scope are open; the others are 403', async () => {
    for (const scope of ['read', 'write', 'admin'] as const) {
      const cred = operator(`${scope} key`, KEYS[scope], [scope]);
      for (const route of routes.filter((r) => !r.policy.public)) {
        const { reply } = await check(route, cred, S.A);
        const open = route.policy.scope === scope;
        // A hidden route's refusal is its 404 (its allowed answer on a made-up id is the same 404: the matrix tells them apart on real Blends in blend.test.ts).
        if (route.policy.hidden) assert.equal(reply.status, 404, `${route.method} ${route.path} with a ${scope} key`);
        else assert.equal(reply.status === 403, !open, `${route.method} ${route.path} with a ${scope} key: ${reply.status}`);
      }
    }
  });

  test("A's viewer token on every one of B's routes is 404, as if B did not exist; and B's on A's", async () => {
    for (const route of routes.filter((r) => r.path.startsWith('/api/sessions/:id') && !r.policy.public)) {
      for (const [holder, target] of [['A', S.B], ['B', S.A]] as const) {
        for (const via of ['header', 'cookie'] as const) {
          const origin = via === 'cookie' ? base.origin : undefined;
          const { reply } = await check(route, viewer(holder, via, tokens[holder]), target, { origin });
          assert.equal(reply.status, 404, `${route.method} ${route.path}: ${holder}'s token on the other session`);
          // Same answer as a session that does not exist, for an operator (a hidden route: as its thing that does not exist).
          const message = route.policy.hidden ? 'No blend :blendId' : `No session ${target}`;
          assert.deepEqual(JSON.parse(reply.body), { error: { code: 'not_found', message } });
        }
      }
    }
  });

  test('a viewer token on any route that is not its session’s viewer route is 403', async () => {
    for (const route of routes.filter((r) => !r.policy.public && !r.policy.viewer)) {
      const { reply } = await check(route, viewer('A', 'header', tokens.A), S.A);
      assert.equal(reply.status, 403, `${route.method} ${route.path}`);
    }
  });

  test("the codec URL token opens /codec/ui/<token>/… and nothing else", async () => {
    const token = codecUiToken(TEST_CODEC_TOKEN_SECRET, stack.apiKey);
    for (const op of ['encode', 'decode']) {
      const res = await send('POST', `/codec/ui/${token}/${op}`, {}, { payloads: [] });
      assert.equal(res.status, 200, op);
    }
    // Not as a key, not on another path.
    assert.equal((await send('GET', `/api/sessions/${S.A}`, { authorization: `Bearer ${token}` })).status, 401);
    assert.equal((await send('GET', `/api/sessions/${S.A}/report?token=${token}`)).status, 401);
    assert.equal((await send('POST', `/codec/ui/${token}x/decode`, {}, { payloads: [] })).status, 401);
  });

  test('only a key that may read has a codec URL: a write-only or admin-only key cannot decrypt a dataKey', async () => {
    assert.equal((await send('POST', `/codec/ui/${codecUiToken(TEST_CODEC_TOKEN_SECRET, KEYS.read)}/decode`, {}, { payloads: [] })).status, 200);
    for (const key of [KEYS.write, KEYS.admin]) {
      assert.equal((await send('POST', `/codec/ui/${codecUiToken(TEST_CODEC_TOKEN_SECRET, key)}/decode`, {}, { payloads: [] })).status, 401);
      assert.equal((await send('POST', '/codec/decode', { authorization: `Bearer ${key}` }, { payloads: [] })).status, 403);
    }
    // Derived from the codec secret, not the key: another secret gives another token, and it is refused.
    assert.equal((await send('POST', `/codec/ui/${codecUiToken('another-codec-token-secret-0123456789ab', stack.apiKey)}/decode`, {}, { payloads: [] })).status, 401);
  });

  test("write-only and admin-only keys get no viewer token for a session they did not create: not by a start, a hand-off or a share link", async () => {
    for (const key of [KEYS.write, KEYS.admin]) {
      const h = { authorization: `Bearer ${key}` };
      const start = await send('POST', '/api/sessions', h, { sessionId: S.A });
      assert.ok(start.status === 200 || start.status === 403, `${start.status} ${start.body}`);
      assert.ok(!/spv[12]\./.test(start.body) && !/spv[12]\./.test(String(start.headers['set-cookie'] ?? '')), start.body);
      for (const path of [`/api/sessions/${S.A}/handoff`, `/api/sessions/${S.A}/share-links`]) {
        const res = await send('POST', path, h, {});
        assert.equal(res.status, 403, `${path}: ${res.body}`);
      }
      // Nor can the write key erase it (an admin act), by any route.
      if (key === KEYS.write) assert.equal((await send('DELETE', `/api/sessions/${S.A}`, h)).status, 403);
    }
  });
});

// ─── c. The viewer token's specifics ─────────────────────────────────────────────────────────────

describe("a viewer token opens its own session's state, report and events", () => {
  for (const via of ['header', 'cookie'] as const) {
    test(`by ${via}`, async () => {
      const h = credHeaders(viewer('A', via, tokens.A));
      const state = await send('GET', `/api/sessions/${S.A}`, h);
      assert.equal(state.status, 200, state.body);
      assert.equal((JSON.parse(state.body) as { sessionId: string; state: string }).sessionId, S.A);
      assert.equal((JSON.parse(state.body) as { state: string }).state, 'COMPLETED');
      const report = await send('GET', `/api/sessions/${S.A}/report`, h);
      assert.equal(report.status, 200);
      assert.equal((JSON.parse(report.body) as { sessionId: string }).sessionId, S.A);
      for (const m of reportMarkers) assert.ok(report.body.includes(m));
      const events = await send('GET', `/api/sessions/${S.A}/events`, h);
      assert.equal(events.status, 200);
      assert.match(String(events.headers['content-type']), /^text\/event-stream/);
      // And B's report stays closed to it.
      assert.equal((await send('GET', `/api/sessions/${S.B}/report`, h)).status, 404);
    });
  }

  test('the header token is traded for its own session’s HttpOnly cookie, which then opens the session; not for another session', async () => {
    const res = await send('POST', `/api/sessions/${S.A}/viewer-cookie`, { authorization: `Bearer ${tokens.A}` });
    assert.equal(res.status, 204);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
    assert.ok(cookie.startsWith(`sp_viewer=${tokens.A};`), cookie);
    assert.match(cookie, new RegExp(`Path=/api/sessions/${S.A}(;|$)`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.equal((await send('GET', `/api/sessions/${S.A}/report`, { cookie: cookie.split(';')[0] })).status, 200);
    const other = await send('POST', `/api/sessions/${S.B}/viewer-cookie`, { authorization: `Bearer ${tokens.A}` });
    assert.equal(other.status, 404);
    assert.equal(other.headers['set-cookie'], undefined);
    // An operator key is not a viewer token: nothing to trade.
    assert.equal((await send('POST', `/api/sessions/${S.A}/viewer-cookie`, { authorization: `Bearer ${stack.apiKey}` })).status, 403);
  });

  test('the token the start handed out checks with the server’s secret as that session', () => {
    const c = viewerTokens.check(tokens.A);
    assert.ok(c.ok && c.sessionId === S.A);
  });
});

describe('cookie-authenticated changes must come from this site', () => {
  const connect = (headers: Record<string, string>) => send('POST', `/api/sessions/${S.A}/connect`, { cookie: `sp_viewer=${tokens.A}`, ...headers }, {});

  test('without Origin or Sec-Fetch-Site: 403 cross_origin', async () => {
    const res = await connect({});
    assert.equal(res.status, 403);
    assert.equal(errorCode(res.body), 'cross_origin');
  });

  test('from a foreign Origin (or a cross-site fetch, or a bad Origin): 403', async () => {
    for (const headers of <Record<string, string>[]>[{ origin: 'https://evil.example' }, { origin: `http://127.0.0.1:${base.port + 1}` }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
      const res = await connect(headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(errorCode(res.body), 'cross_origin');
    }
    // A foreign Origin wins over a same-origin Sec-Fetch-Site.
    assert.equal((await connect({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' })).status, 403);
  });

  test('from this Origin (or Sec-Fetch-Site: same-origin): past the guard, to the route (400: no dataKey)', async () => {
    for (const headers of <Record<string, string>[]>[{ origin: base.origin }, { 'sec-fetch-site': 'same-origin' }]) {
      const res = await connect(headers);
      assert.equal(res.status, 400, `${JSON.stringify(headers)}: ${res.body}`);
      assert.equal(errorCode(res.body), 'invalid_request');
    }
  });

  test('the same token as a header needs no Origin (a page of another site cannot set it)', async () => {
    const res = await send('POST', `/api/sessions/${S.A}/connect`, { authorization: `Bearer ${tokens.A}` }, {});
    assert.equal(res.status, 400);
  });

  test('a cookie-authenticated read needs no Origin', async () => {
    assert.equal((await send('GET', `/api/sessions/${S.A}`, { cookie: `sp_viewer=${tokens.A}` })).status, 200);
  });
});

describe('demo mode: an anonymous start gets a token only for the session it created', () => {
  const anonymousStart = (body: unknown) => send('POST', '/api/sessions', { accept: 'application/json' }, body);

  test("naming any session's id (running, completed, or none): one refusal, no token, no cookie, nothing started", async () => {
    for (const sessionId of [S.D, S.C, `not-yet-${Date.now()}`]) {
      const res = await anonymousStart({ sessionId });
      assert.equal(res.status, 400, res.body);
      assert.equal(errorCode(res.body), 'session_id_not_allowed');
      assert.equal(res.headers['set-cookie'], undefined);
      assert.ok(!/spv[12]\./.test(res.body));
    }
    const state = await send('GET', `/api/sessions/${S.C}`, { authorization: `Bearer ${stack.apiKey}` });
    assert.equal((JSON.parse(state.body) as { state: string }).state, 'COMPLETED');
  });

  test('a fresh anonymous start gets its token and an HttpOnly, SameSite=Strict cookie scoped to the session', async () => {
    const res = await anonymousStart({});
    assert.equal(res.status, 202, res.body);
    const body = JSON.parse(res.body) as { sessionId: string; created: boolean; viewerToken: string; viewerTokenExpiresAt: string };
    assert.equal(body.created, true);
    const c = viewerTokens.check(body.viewerToken);
    assert.ok(c.ok && c.sessionId === body.sessionId);
    assert.equal(new Date(body.viewerTokenExpiresAt).getTime(), c.ok && c.expiresAt.getTime());
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    assert.equal(cookies.length, 1);
    const parts = cookies[0].split(';').map((s) => s.trim());
    assert.equal(parts[0], `sp_viewer=${body.viewerToken}`);
    const attrs = new Set(parts.slice(1).map((p) => p.split('=')[0].toLowerCase()));
    assert.ok(attrs.has('httponly'), cookies[0]);
    assert.ok(parts.includes('SameSite=Strict'), cookies[0]);
    assert.ok(parts.includes(`Path=/api/sessions/${body.sessionId}`), cookies[0]);
    assert.ok(attrs.has('expires'), cookies[0]);
    assert.ok(!attrs.has('domain'), cookies[0]);
    // The cookie opens that session, and only it.
    assert.equal((await send('GET', `/api/sessions/${body.sessionId}`, { cookie: parts[0] })).status, 200);
    assert.equal((await send('GET', `/api/sessions/${S.A}`, { cookie: parts[0] })).status, 404);
    // A replay of the same start (Idempotency-Key) hands out no second token.
    const key = `idem-${Date.now()}`;
    const first = await send('POST', '/api/sessions', { 'idempotency-key': key }, {});
    assert.equal(first.status, 202);
    const replay = await send('POST', '/api/sessions', { 'idempotency-key': key }, {});
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal((JSON.parse(replay.body) as Record<string, unknown>).viewerToken, undefined);
    assert.equal(replay.headers['set-cookie'], undefined);
  });

  test('without demo mode an anonymous start is 401 (the stack’s own app)', async () => {
    const res = await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
  });
});

// ─── d. Fuzz ─────────────────────────────────────────────────────────────────────────────────────

const FUZZ_SEED = Number(process.env.ACCESS_FUZZ_SEED ?? 20261202);
const FUZZ_RUNS = Number(process.env.ACCESS_FUZZ_RUNS ?? 1200);

describe('fuzz: routes × credentials × ids × methods', () => {
  test(`${FUZZ_RUNS} requests: never a 5xx, never another's data, every refusal as the rules say (seed ${FUZZ_SEED})`, async () => {
    const creds = [
      ...matrixCreds(),
      viewer('C', 'header'),
      viewer('D', 'cookie'),
      viewer('someone-else', 'header'),
    ];
    const ids = [
      S.A,
      S.B,
      S.D,
      GHOST,
      S.A.toUpperCase(),
      encodeURIComponent(S.A).replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`),
      `${S.A}x`,
      S.A.slice(0, -1),
      '..',
      '%2e%2e',
      'a%2Fb',
      '%',
      'x'.repeat(65),
      '%F0%9F%8E%AC',
      "'%20OR%201=1",
      `${S.A}%00`,
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const origins = [undefined, base.origin, 'https://evil.example'];
    const registered = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
    // The full key's codec token opens /codec; what a write-only or admin-only key's would be opens nothing.
    const uiTokens = ['not-a-codec-token', codecUiToken(TEST_CODEC_TOKEN_SECRET, stack.apiKey), codecUiToken(TEST_CODEC_TOKEN_SECRET, KEYS.write), codecUiToken(TEST_CODEC_TOKEN_SECRET, KEYS.admin)];
    let requests = 0;
    const statuses = new Map<number, number>();

    let lastFailure: unknown;
    const property = fc.asyncProperty(
        fc.record({
          route: fc.constantFrom(...routes),
          method: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...methods) }),
          cred: fc.constantFrom(...creds),
          id: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) }),
          upper: fc.boolean(),
          slash: fc.boolean(),
          origin: fc.constantFrom(...origins),
          ui: fc.constantFrom(...uiTokens),
        }),
        async ({ route, method: m, cred, id, upper, slash, origin, ui }) => {
          try {
          const method = m ?? route.method;
          const lookup = method === 'HEAD' ? 'GET' : method;
          const matched = registered.get(`${lookup} ${route.path}`);
          const pathOf = (sid: string) => {
            let p = concretePath(route.path, sid, ui);
            // Express matches paths case-insensitively and with a trailing slash; the guard must too.
            if (upper && p.startsWith('/api/')) p = p.replace(/^\/api\/[a-z-]+/, (s) => s.toUpperCase());
            if (slash) p = `${p}/`;
            return p;
          };
          requests++;
          if (matched) {
            const { reply } = await check({ ...matched, method }, cred, id, { origin, pathOf, exact: false });
            statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
            return;
          }
          // A method the path does not have: refused or not found, never more.
          const path = pathOf(id);
          const label = `${method} ${path} with ${cred.name}`;
          const reply = await send(method, path, { ...credHeaders(cred), ...(origin ? { origin } : {}) }, method === 'GET' || method === 'HEAD' ? undefined : {});
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          assert.ok(reply.status < 500, `${label}: ${reply.status}`);
          // Without a bearer credential, a codec UI path's token is judged first (before any cookie).
          const nonBearer = cred.kind === 'none' || ((cred.kind === 'refused' || cred.kind === 'viewer') && cred.via === 'cookie');
          const uiDecides = CODEC_UI.test(path) && nonBearer;
          const refused = uiDecides ? ui !== uiTokens[1] : cred.kind === 'none' || cred.kind === 'refused';
          if (refused) assert.equal(reply.status, 401, `${label}: ${reply.status} ${reply.body.slice(0, 200)}`);
          // 400: a path segment that is not valid percent-encoding.
          else assert.ok([400, 403, 404].includes(reply.status), `${label}: ${reply.status} ${reply.body.slice(0, 200)}`);
          assertNoLeak(label, reply, { allowed: false, method, routeKey: `${method} ${route.path}`, path, cred });
          } catch (error) {
            lastFailure = error;
            throw error;
          }
        },
    );
    try {
      await fc.assert(property, { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true });
    } catch (error) {
      // fast-check names the counterexample; the assertion that failed says what was wrong with it.
      throw new Error(`${(lastFailure as Error | undefined)?.message ?? ''}\n${(error as Error).message}`);
    }
    assert.ok(requests >= 1000, `only ${requests} requests`);
    // The run reached the handlers and the refusals alike (not all one answer).
    for (const s of [200, 401, 403, 404]) assert.ok((statuses.get(s) ?? 0) > 20, `too few ${s} answers: ${JSON.stringify([...statuses])}`);
  });
});
