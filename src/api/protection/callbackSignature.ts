// Signed callback links: with CALLBACK_SECRET set, GET /api/callback needs `ts` (unix seconds) and
// `sig` = hex HMAC-SHA256 of the canonical query: every parameter but `sig`, sorted by key (code
// unit order), `key=value` with both URL-encoded (encodeURIComponent), joined by `&`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors.js';

export const CALLBACK_MAX_SKEW_SECONDS = 5 * 60;

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k])}`)
    .join('&');
}

/** The `sig` for these parameters (include `ts`; any `sig` among them is ignored). */
export function signCallback(params: Record<string, string>, secret: string): string {
  return createHmac('sha256', secret).update(canonicalQuery(params), 'utf8').digest('hex');
}

/** A ready-to-use query string: the parameters, `ts` (now unless given) and `sig`. */
export function signedCallbackQuery(params: Record<string, string>, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const withTs = { ts: String(nowSeconds), ...params };
  return new URLSearchParams({ ...withTs, sig: signCallback(withTs, secret) }).toString();
}

/**
 * Verifies signed callbacks and refuses a signature seen before within the validity window.
 * The seen-set lives in this process's memory, bounded by `maxRemembered`: a multi-instance
 * deployment needs a shared store (e.g. a database table keyed by signature) for replay protection
 * to hold across instances.
 */
export function createCallbackVerifier(secret: string, opts: { maxRemembered?: number; now?: () => number } = {}) {
  const maxRemembered = opts.maxRemembered ?? 10_000;
  const now = opts.now ?? (() => Date.now() / 1000);
  const seen = new Map<string, number>(); // sig → unix seconds after which it would be expired anyway

  function remember(sig: string, expiresAt: number, at: number) {
    // Oldest first: expired entries go, and past the bound the oldest go even if still valid.
    for (const [s, exp] of seen) {
      if (seen.size < maxRemembered && exp > at) break;
      seen.delete(s);
    }
    seen.set(sig, expiresAt);
  }

  return {
    /** Throws a 401 HttpError unless `query` is a fresh, authentic, first-time callback. */
    verify(query: Record<string, unknown>): void {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(query)) {
        if (typeof v !== 'string') throw new HttpError(400, 'invalid_request', `query parameter ${k} must appear once`);
        params[k] = v;
      }
      const { sig, ts } = params;
      if (!sig || !ts) throw new HttpError(401, 'unsigned', 'This callback link must be signed (ts and sig)');
      if (!/^[0-9a-f]{64}$/i.test(sig)) throw new HttpError(401, 'bad_signature', 'The callback signature is not valid');
      const expected = Buffer.from(signCallback(params, secret), 'hex');
      if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) throw new HttpError(401, 'bad_signature', 'The callback signature is not valid');
      const at = now();
      const issued = /^\d{1,12}$/.test(ts) ? Number(ts) : NaN;
      if (!Number.isFinite(issued) || Math.abs(at - issued) > CALLBACK_MAX_SKEW_SECONDS) {
        throw new HttpError(401, 'expired', 'This callback link has expired (ts is more than 5 minutes away); connect again');
      }
      const key = sig.toLowerCase();
      if ((seen.get(key) ?? 0) > at) throw new HttpError(401, 'replayed', 'This callback link was already used');
      remember(key, issued + CALLBACK_MAX_SKEW_SECONDS, at);
    },
    get remembered() {
      return seen.size;
    },
  };
}
