// Viewer tokens: the capability a viewer (or an app on their behalf) holds for one session.
// `spv1.<sessionId>.<expires>.<mac>`, where the MAC is an HMAC-SHA256 under a server secret: the
// token names its session (so another session's valid token is told apart from a forged one and
// answered 404), but cannot be made from the session id without the secret. Nothing is stored.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Say, createOnce, warnIfShared } from '../../temporal/codec/secretFile.js';

export const VIEWER_TOKEN_PREFIX = 'spv1';
/** The page's cookie; one per session, scoped to that session's paths. */
export const VIEWER_COOKIE = 'sp_viewer';

export type ViewerTokenCheck = { ok: true; sessionId: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const TOKEN_PATTERN = /^spv1\.([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class ViewerTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 32) throw new Error('the viewer token secret must be at least 32 characters');
  }

  issue(sessionId: string): { token: string; expiresAt: Date } {
    const expires = Math.floor((this.now() + this.ttlMs) / 1000);
    return { token: `${VIEWER_TOKEN_PREFIX}.${sessionId}.${expires}.${this.mac(sessionId, expires)}`, expiresAt: new Date(expires * 1000) };
  }

  check(token: string): ViewerTokenCheck {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return { ok: false, reason: 'malformed' };
    const [, sessionId, expiresText, mac] = m;
    const expires = Number(expiresText);
    const expected = Buffer.from(this.mac(sessionId, expires));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return { ok: false, reason: 'forged' };
    if (expires * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, sessionId, expiresAt: new Date(expires * 1000) };
  }

  /**
   * A key for another kind of capability (share links), derived from this secret so one secret
   * still covers a deployment, yet neither kind's MAC can ever stand in for the other's.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.secret).update(`showprint derived key\n${purpose}`).digest();
  }

  private mac(sessionId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`showprint viewer v1\n${sessionId}\n${expires}`).digest('base64url');
  }
}

export const looksLikeViewerToken = (token: string) => token.startsWith(`${VIEWER_TOKEN_PREFIX}.`);

/** The cookie path that covers exactly one session's routes (`/api/sessions/<id>` and below). */
export const viewerCookiePath = (sessionId: string) => `/api/sessions/${sessionId}`;

/** VIEWER_TOKEN_SECRET when set; else DATA_DIR/viewer-token-secret, created on first use. */
export function loadViewerTokenSecret(opts: { secret?: string; dataDir: string; say?: Say }): string {
  if (opts.secret) return opts.secret;
  const file = path.join(opts.dataDir, 'viewer-token-secret');
  if (!createOnce(file, () => `${randomBytes(32).toString('base64url')}\n`, 'VIEWER_TOKEN_SECRET')) warnIfShared(file, opts.say ?? ((line) => console.log(line)));
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret (at least 32 characters); delete it to generate a new one`);
  return secret;
}
