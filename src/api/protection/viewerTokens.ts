// Viewer tokens: the capability a viewer (or an app on their behalf) holds for one session.
// `spv2.<sessionId>.<epoch>.<expires>.<mac>`, where the MAC is an HMAC-SHA256 under a server secret:
// the token names its session (so another session's valid token is told apart from a forged one and
// answered 404), but cannot be made from the session id without the secret. What is stored is one
// epoch per session (ViewerTokenEpochs): revoking moves it on and every token of the old epoch, on
// every device, stops working. A token minted from another (a hand-off) never outlives it, so a
// stolen token cannot renew itself. `spv1` tokens (before epochs) count as epoch 0.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CookieOptions, Request, Response } from 'express';
import type { Db } from '../../db/index.js';
import { type Say, createOnce, warnIfShared } from '../../temporal/codec/secretFile.js';

export const VIEWER_TOKEN_PREFIX = 'spv2';
/** The page's cookie; one per session, scoped to that session's paths. */
export const VIEWER_COOKIE = 'sp_viewer';

export type ViewerTokenCheck = { ok: true; sessionId: string; epoch: number; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const TOKEN_PATTERN = /^spv2\.([A-Za-z0-9_-]{1,64})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const V1_PATTERN = /^spv1\.([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class ViewerTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 32) throw new Error('the viewer token secret must be at least 32 characters');
  }

  /**
   * A token for the session's `epoch`. `notAfter`: the token it is minted from expires then, and so
   * does this one (an absolute lifetime: hand-offs never extend it).
   */
  issue(sessionId: string, opts: { epoch?: number; notAfter?: Date } = {}): { token: string; expiresAt: Date } {
    const epoch = opts.epoch ?? 0;
    const fresh = this.now() + this.ttlMs;
    const expires = Math.floor(Math.min(fresh, opts.notAfter?.getTime() ?? fresh) / 1000);
    return { token: `${VIEWER_TOKEN_PREFIX}.${sessionId}.${epoch}.${expires}.${this.mac(sessionId, epoch, expires)}`, expiresAt: new Date(expires * 1000) };
  }

  check(token: string): ViewerTokenCheck {
    const m = TOKEN_PATTERN.exec(token);
    const v1 = m ? undefined : V1_PATTERN.exec(token);
    if (!m && !v1) return { ok: false, reason: 'malformed' };
    const [sessionId, epoch, expires, mac] = m ? [m[1], Number(m[2]), Number(m[3]), m[4]] : [v1![1], 0, Number(v1![2]), v1![3]];
    const expected = Buffer.from(m ? this.mac(sessionId, epoch, expires) : this.macV1(sessionId, expires));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return { ok: false, reason: 'forged' };
    if (expires * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, sessionId, epoch, expiresAt: new Date(expires * 1000) };
  }

  /**
   * A key for another kind of capability (share links), derived from this secret so one secret
   * still covers a deployment, yet neither kind's MAC can ever stand in for the other's.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.secret).update(`showprint derived key\n${purpose}`).digest();
  }

  private mac(sessionId: string, epoch: number, expires: number): string {
    return createHmac('sha256', this.secret).update(`showprint viewer v2\n${sessionId}\n${epoch}\n${expires}`).digest('base64url');
  }

  private macV1(sessionId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`showprint viewer v1\n${sessionId}\n${expires}`).digest('base64url');
  }
}

/** Each session's token epoch: 0 until its viewer (or an admin) first logs every device out. */
export class ViewerTokenEpochs {
  constructor(private readonly db: Db) {}

  async current(sessionId: string): Promise<number> {
    const row = await this.db.selectFrom('viewer_token_epochs').select('epoch').where('session_id', '=', sessionId).executeTakeFirst();
    return row?.epoch ?? 0;
  }

  /** Moves the session to its next epoch: every token and hand-off code issued so far stops working. */
  async revoke(sessionId: string): Promise<number> {
    const row = await this.db
      .insertInto('viewer_token_epochs')
      .values({ session_id: sessionId, epoch: 1, revoked_at: new Date() })
      .onConflict((oc) => oc.column('session_id').doUpdateSet((eb) => ({ epoch: eb('viewer_token_epochs.epoch', '+', 1), revoked_at: new Date() })))
      .returning('epoch')
      .executeTakeFirstOrThrow();
    await this.db.deleteFrom('handoff_codes').where('session_id', '=', sessionId).execute();
    return row.epoch;
  }
}

export const looksLikeViewerToken = (token: string) => token.startsWith('spv1.') || token.startsWith(`${VIEWER_TOKEN_PREFIX}.`);

/** The cookie path that covers exactly one session's routes (`/api/sessions/<id>` and below). */
export const viewerCookiePath = (sessionId: string) => `/api/sessions/${sessionId}`;

/**
 * The viewer cookie's attributes, in one place. `secureCookies` (every deployment but the local
 * demo) marks it Secure even when the request reached us over plain HTTP behind a TLS proxy.
 */
export function viewerCookieOptions(req: Request, sessionId: string, opts: { secureCookies: boolean; sameSite?: 'strict' | 'lax'; expires?: Date }): CookieOptions {
  return { httpOnly: true, sameSite: opts.sameSite ?? 'strict', secure: opts.secureCookies || req.secure, path: viewerCookiePath(sessionId), ...(opts.expires ? { expires: opts.expires } : {}) };
}

export function setViewerCookie(req: Request, res: Response, sessionId: string, issued: { token: string; expiresAt: Date }, opts: { secureCookies: boolean; sameSite?: 'strict' | 'lax' }) {
  res.cookie(VIEWER_COOKIE, issued.token, viewerCookieOptions(req, sessionId, { ...opts, expires: issued.expiresAt }));
}

/**
 * A server secret: the configured one when set; else DATA_DIR/<file>, created on first use (one
 * machine's demo). VIEWER_TOKEN_SECRET and CODEC_TOKEN_SECRET are read this way.
 */
export function loadLocalSecret(opts: { secret?: string; dataDir: string; file: string; variable: string; say?: Say }): string {
  if (opts.secret) return opts.secret;
  const file = path.join(opts.dataDir, opts.file);
  if (!createOnce(file, () => `${randomBytes(32).toString('base64url')}\n`, opts.variable)) warnIfShared(file, opts.say ?? ((line) => console.log(line)));
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret (at least 32 characters); delete it to generate a new one`);
  return secret;
}

/** VIEWER_TOKEN_SECRET when set; else DATA_DIR/viewer-token-secret, created on first use. */
export const loadViewerTokenSecret = (opts: { secret?: string; dataDir: string; say?: Say }) =>
  loadLocalSecret({ ...opts, file: 'viewer-token-secret', variable: 'VIEWER_TOKEN_SECRET' });
