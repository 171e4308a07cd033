// The HTTP guard in front of every router: security headers, a per-client rate limit on anything
// that can start or change a session, and API-key authentication for every mutating request.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiKeySet, bearerToken } from './apiKeys.js';
import { type RateLimitSettings, TokenBuckets } from './rateLimit.js';

/** Who made the request, once the guard has looked: set on `res.locals.principal`. */
export interface Principal {
  /** The API key's fingerprint, or undefined for an anonymous request. */
  keyId?: string;
  /** True when authenticated only by a codec URL token (good for /codec only). */
  codecOnly?: boolean;
}

export interface GuardOptions {
  apiKeys: ApiKeySet;
  /** Accept POST /api/sessions without a key (the demo page); every other mutation still needs one. */
  allowAnonymousSessions?: boolean;
  rateLimit: RateLimitSettings;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CODEC_UI_PATH = /^\/codec\/ui\/([^/]+)\/(?:encode|decode)\/?$/;

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

function unauthorized(res: Response, message: string, invalid: boolean) {
  res.set('WWW-Authenticate', invalid ? 'Bearer realm="showprint", error="invalid_token"' : 'Bearer realm="showprint"');
  sendError(res, 401, 'unauthorized', message);
}

/** Express routes case-insensitively and ignores a trailing slash; compare the same way. */
const normalize = (p: string) => p.toLowerCase().replace(/\/+$/, '') || '/';

export function apiGuard(opts: GuardOptions): RequestHandler & { buckets: TokenBuckets } {
  const buckets = new TokenBuckets(opts.rateLimit);

  const handler = (req: Request, res: Response, next: NextFunction) => {
    const path = normalize(req.path);
    const isCodec = path === '/codec' || path.startsWith('/codec/');
    const mutating = !SAFE_METHODS.has(req.method);

    // Identify the caller first: a valid key names the rate-limit bucket; anything else counts
    // against the IP, so guessing keys cannot buy fresh buckets.
    const presented = bearerToken(req.get('authorization'));
    const principal: Principal = {};
    if (presented !== undefined) principal.keyId = opts.apiKeys.match(presented);
    const uiToken = CODEC_UI_PATH.exec(req.path)?.[1];
    if (!principal.keyId && uiToken !== undefined) {
      const id = opts.apiKeys.matchCodecToken(uiToken);
      if (id) Object.assign(principal, { keyId: id, codecOnly: true });
    }
    res.locals.principal = principal;

    const limited = mutating || isCodec || path === '/api/callback';
    if (limited && req.method !== 'OPTIONS') {
      const client = principal.keyId ? `key:${principal.keyId}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
      const waitSeconds = buckets.take(client);
      if (waitSeconds > 0) {
        res.set('Retry-After', String(Math.max(1, Math.ceil(waitSeconds))));
        return sendError(res, 429, 'rate_limited', 'Too many requests; slow down and retry after the Retry-After delay');
      }
    }

    // Fail closed: every mutating request on any path needs a key, with one narrow exception.
    if (!(mutating || (isCodec && req.method !== 'OPTIONS'))) return next();
    if (principal.keyId) {
      if (principal.codecOnly && !isCodec) return unauthorized(res, 'A codec token only opens /codec', true);
      return next();
    }
    if (presented !== undefined) return unauthorized(res, 'The API key is not valid', true);
    if (opts.allowAnonymousSessions && req.method === 'POST' && path === '/api/sessions') return next();
    return unauthorized(res, 'This endpoint needs an API key: send Authorization: Bearer <key>', false);
  };
  return Object.assign(handler, { buckets });
}

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? {};
}
