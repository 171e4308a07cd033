// The HTTP guard in front of every router: security headers, caller identification (operator key,
// viewer token from a header or the session's cookie, codec URL token), a per-client rate limit on
// anything that can start or change a session, CSRF checks for cookie-authenticated changes, and a
// fail-closed default: outside the public paths nothing passes without a valid credential, and a
// viewer token never leaves its own session's paths. Routes then check their own policy (access.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiKeySet, bearerToken } from './apiKeys.js';
import { type Principal, insufficientScope, notFoundForViewer, unauthorized } from './access.js';
import { type RateLimitSettings, TokenBuckets } from './rateLimit.js';
import { VIEWER_COOKIE, type ViewerTokens, looksLikeViewerToken } from './viewerTokens.js';

export interface GuardOptions {
  apiKeys: ApiKeySet;
  viewerTokens: ViewerTokens;
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

/** Express routes case-insensitively and ignores a trailing slash; compare the same way. */
const normalize = (p: string) => p.toLowerCase().replace(/\/+$/, '') || '/';

/** What anyone may reach: the page shell and its files, health checks, demo keys and Gandalf's callback. */
function isPublic(method: string, path: string): boolean {
  if (path === '/api/demo-keys' || path === '/api/callback') return SAFE_METHODS.has(method);
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

  /** The caller, or why their credential is refused (a presented credential must be right: no silent downgrade). */
  function identify(req: Request): Principal | { refused: string } {
    const presented = bearerToken(req.get('authorization'));
    if (req.get('authorization') !== undefined && presented === undefined) return { refused: 'The Authorization header is not "Bearer <token>"' };
    if (presented !== undefined) {
      if (looksLikeViewerToken(presented)) {
        const check = opts.viewerTokens.check(presented);
        return check.ok ? { kind: 'viewer', sessionId: check.sessionId, via: 'header' } : { refused: `The viewer token is ${check.reason}` };
      }
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
      const good = checks.find((c) => c.ok);
      if (good?.ok) return { kind: 'viewer', sessionId: good.sessionId, via: 'cookie' };
      const bad = checks[0];
      return { refused: `The viewer cookie is ${bad.ok ? 'invalid' : bad.reason}; start the report again` };
    }
    return anonymous;
  }

  const handler = (req: Request, res: Response, next: NextFunction) => {
    const path = normalize(req.path);
    const mutating = !SAFE_METHODS.has(req.method);
    if (req.method === 'OPTIONS' && (path === '/codec' || path.startsWith('/codec/'))) return next();
    const open = isPublic(req.method, path);
    // The page and its files ignore credentials (a stale cookie must not break the shell).
    if (open && !path.startsWith('/api/')) {
      res.locals.principal = anonymous;
      return next();
    }

    const who = identify(req);
    const principal = 'refused' in who ? anonymous : who;
    res.locals.principal = principal;

    // A valid credential names the rate-limit bucket; anything else counts against the IP, so
    // guessing keys or tokens cannot buy fresh buckets.
    const limited = mutating || path.startsWith('/codec') || path === '/api/callback';
    if (limited) {
      const client =
        principal.kind === 'operator' || principal.kind === 'codec' ? `key:${principal.keyId}` : principal.kind === 'viewer' ? `viewer:${principal.sessionId}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
      const waitSeconds = buckets.take(client);
      if (waitSeconds > 0) {
        res.set('Retry-After', String(Math.max(1, Math.ceil(waitSeconds))));
        return sendError(res, 429, 'rate_limited', 'Too many requests; slow down and retry after the Retry-After delay');
      }
    }

    if ('refused' in who) return unauthorized(res, who.refused, true);
    if (open) return next();

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
