// The HTTP guard in front of every router: security headers, caller identification (operator key,
// viewer token from a header or the session's cookie, codec URL token), a per-client rate limit on
// anything that can start or change a session, CSRF checks for cookie-authenticated changes, and a
// fail-closed default: outside the public paths nothing passes without a valid credential, and a
// viewer token never leaves its own session's paths. Routes then check their own policy (access.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiKeySet, bearerToken } from './apiKeys.js';
import { type Principal, insufficientScope, notFoundForViewer, unauthorized } from './access.js';
import { type RateLimitSettings, TokenBuckets } from './rateLimit.js';
import { VIEWER_COOKIE, type ViewerTokenCheck, type ViewerTokenEpochs, type ViewerTokens, looksLikeViewerToken } from './viewerTokens.js';

export interface GuardOptions {
  apiKeys: ApiKeySet;
  viewerTokens: ViewerTokens;
  /** Each session's token epoch: a token of an older one was revoked. */
  epochs: ViewerTokenEpochs;
  /** Accept POST /api/sessions without a key (the demo page); every other mutation still needs one. */
  allowAnonymousSessions?: boolean;
  rateLimit: RateLimitSettings;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CODEC_UI_PATH = /^\/codec\/ui\/([^/]+)\/(?:encode|decode)\/?$/;
const SESSION_PATH = /^\/api\/sessions\/([^/]+)/i;

// Only the page's own files, TMDB's images and same-origin API calls; no inline script or style
// attributes (the page sets sizes through element.style, which CSP allows).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https://image.tmdb.org",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    next();
  };
}

const sendError = (res: Response, status: number, code: string, message: string) => void res.status(status).json({ error: { code, message } });

/** The client's address as Express sees it: behind a trusted proxy (TRUST_PROXY), the one it forwarded. */
const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Express routes case-insensitively and ignores a trailing slash; compare the same way. */
const normalize = (p: string) => p.toLowerCase().replace(/\/+$/, '') || '/';

/** Reading one Blend: a hidden route (access.ts), so refusals there are the route's own 404, never a 401 or another session's 404. */
const HIDDEN_READ_PATH = /^\/api\/sessions\/[^/]+\/blends\/[^/]+$/;

/** Trading a hand-off code for a cookie: the phone has no credential yet, and a stale cookie must not stop it. */
const HANDOFF_REDEEM_PATH = /^\/api\/sessions\/[^/]+\/handoff\/redeem$/;

/** What anyone may reach: the page shell and its files, health checks, demo keys, Gandalf's callback and hand-off codes. */
function isPublic(method: string, path: string): boolean {
  if (path === '/api/demo-keys' || path === '/api/callback') return SAFE_METHODS.has(method);
  if (HANDOFF_REDEEM_PATH.test(path)) return method === 'POST';
  if (path === '/api' || path.startsWith('/api/') || path === '/codec' || path.startsWith('/codec/') || path === '/metrics') return false;
  return SAFE_METHODS.has(method);
}

function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}

function sessionIdInPath(rawPath: string): string | undefined {
  const raw = SESSION_PATH.exec(rawPath)?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A cookie rides along with any request the browser makes, even one another site triggers: a
 * change made on the strength of the cookie must come from this origin (SameSite=Strict is the
 * first line; this covers browsers and proxies that drop it).
 */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin !== undefined) {
    // By host: behind a TLS-terminating proxy the request itself arrives over http.
    try {
      return new URL(origin).host === req.get('host');
    } catch {
      return false;
    }
  }
  return req.get('sec-fetch-site') === 'same-origin';
}

export function apiGuard(opts: GuardOptions): RequestHandler & { buckets: TokenBuckets } {
  const buckets = new TokenBuckets(opts.rateLimit);
  const anonymous: Principal = { kind: 'anonymous', mayStartSessions: opts.allowAnonymousSessions ?? false };

  /** A checked viewer token as a principal, unless its session has revoked its epoch since. */
  async function viewer(check: ViewerTokenCheck, via: 'cookie' | 'header'): Promise<Principal | { refused: string }> {
    if (!check.ok) return { refused: via === 'header' ? `The viewer token is ${check.reason}` : `The viewer cookie is ${check.reason}; start the report again` };
    if (check.epoch !== (await opts.epochs.current(check.sessionId))) return { refused: via === 'header' ? 'The viewer token was revoked' : 'The viewer cookie was revoked; open the report again from a new link' };
    return { kind: 'viewer', sessionId: check.sessionId, via, epoch: check.epoch, expiresAt: check.expiresAt };
  }

  /** The caller, or why their credential is refused (a presented credential must be right: no silent downgrade). */
  async function identify(req: Request): Promise<Principal | { refused: string }> {
    const presented = bearerToken(req.get('authorization'));
    if (req.get('authorization') !== undefined && presented === undefined) return { refused: 'The Authorization header is not "Bearer <token>"' };
    if (presented !== undefined) {
      if (looksLikeViewerToken(presented)) return viewer(opts.viewerTokens.check(presented), 'header');
      const key = opts.apiKeys.match(presented);
      return key ? { kind: 'operator', keyId: key.id, scopes: key.scopes } : { refused: 'The API key is not valid' };
    }
    const uiToken = CODEC_UI_PATH.exec(req.path)?.[1];
    if (uiToken !== undefined) {
      const id = opts.apiKeys.matchCodecToken(uiToken);
      return id ? { kind: 'codec', keyId: id } : { refused: 'The codec token is not valid' };
    }
    const cookies = cookieValues(req.get('cookie'), VIEWER_COOKIE);
    if (cookies.length > 0) {
      const checks = cookies.map((c) => opts.viewerTokens.check(c));
      return viewer(checks.find((c) => c.ok) ?? checks[0], 'cookie');
    }
    return anonymous;
  }

  /** Takes a request from the client's bucket; false (and a 429 sent) when it is empty. */
  function withinLimit(req: Request, res: Response, client: string): boolean {
    const waitSeconds = buckets.take(client);
    if (waitSeconds <= 0) return true;
    res.set('Retry-After', String(Math.max(1, Math.ceil(waitSeconds))));
    sendError(res, 429, 'rate_limited', 'Too many requests; slow down and retry after the Retry-After delay');
    return false;
  }

  const handler = async (req: Request, res: Response, next: NextFunction) => {
    const path = normalize(req.path);
    const mutating = !SAFE_METHODS.has(req.method);
    if (req.method === 'OPTIONS' && (path === '/codec' || path.startsWith('/codec/'))) return next();
    const open = isPublic(req.method, path);
    // The page and its files ignore credentials (a stale cookie must not break the shell), and so
    // does trading a hand-off code (a phone's old, revoked cookie must not stop it).
    if (open && (!path.startsWith('/api/') || HANDOFF_REDEEM_PATH.test(path))) {
      res.locals.principal = anonymous;
      if (mutating && !withinLimit(req, res, `ip:${clientIp(req)}`)) return;
      return next();
    }

    let who: Principal | { refused: string };
    try {
      who = await identify(req);
    } catch (error) {
      return next(error); // the epoch store is unreachable: a 5xx, never a silent pass
    }
    const principal = 'refused' in who ? anonymous : who;
    res.locals.principal = principal;

    // A valid credential names the rate-limit bucket; anything else counts against the IP, so
    // guessing keys or tokens cannot buy fresh buckets. A refused credential costs a token on every
    // method: 300 wrong keys on a GET are 300 guesses too.
    const limited = mutating || path.startsWith('/codec') || path === '/api/callback' || 'refused' in who;
    if (limited) {
      const client =
        principal.kind === 'operator' || principal.kind === 'codec' ? `key:${principal.keyId}` : principal.kind === 'viewer' ? `viewer:${principal.sessionId}` : `ip:${clientIp(req)}`;
      if (!withinLimit(req, res, client)) return;
    }

    if ('refused' in who) return unauthorized(res, who.refused, true);
    if (open) return next();
    // The route's policy answers every caller the same 404 when it does not open it.
    const hidden = SAFE_METHODS.has(req.method) && HIDDEN_READ_PATH.test(path) && principal.kind !== 'codec';
    if (hidden) return next();

    switch (principal.kind) {
      case 'anonymous':
        // Only starting a session may go on without a credential, and only in demo mode; refusing
        // here, before the body parser, means an unauthenticated body is never read.
        if (principal.mayStartSessions && req.method === 'POST' && path === '/api/sessions') return next();
        return unauthorized(res, 'This endpoint needs an API key or a viewer token: send Authorization: Bearer <token>', false);
      case 'codec':
        if (path.startsWith('/codec/')) return next();
        return unauthorized(res, 'A codec token only opens /codec', true);
      case 'viewer': {
        const target = sessionIdInPath(req.path);
        if (target === undefined) return insufficientScope(res, 'an operator key');
        if (target !== principal.sessionId) return notFoundForViewer(res, target);
        if (principal.via === 'cookie' && mutating && !sameOrigin(req)) {
          return sendError(res, 403, 'cross_origin', 'A change made with the viewer cookie must come from this site (Origin does not match)');
        }
        return next();
      }
      case 'operator':
        return next();
    }
  };
  return Object.assign(handler, { buckets });
}
