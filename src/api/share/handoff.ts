// QR hand-off: the page on one device asks for a link to its session and shows it as a QR code, so
// the report opens on a phone without signing in. The link carries a one-time code (not a token) in
// its fragment, which browsers never send to a server; the phone's page trades it once for its
// cookie. A code lasts minutes, is stored only as a digest, works once, dies with a revoke, and the
// token it buys expires when the token that asked for it does: a stolen token cannot renew itself.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { HttpError } from '../errors.js';
import { allow, principalOf } from '../protection/access.js';
import { type ViewerTokenEpochs, type ViewerTokens, setViewerCookie } from '../protection/viewerTokens.js';
import { findSession, parseSessionId } from '../sessionLookup.js';
import { publicOrigin } from './origin.js';

/** How long a hand-off link can be opened: long enough to scan it, short enough to be worth nothing later. */
export const HANDOFF_TTL_MS = 10 * 60 * 1000;

export interface HandoffDeps {
  client: Client;
  db: Db;
  viewerTokens: ViewerTokens;
  epochs: ViewerTokenEpochs;
  publicUrl?: string;
  secureCookies: boolean;
}

const redeemBody = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a hand-off code') }).strict();
const digest = (code: string) => createHash('sha256').update(`showprint handoff\n${code}`).digest('hex');

/** Mounted at /api/sessions/:id. */
export function handoffRouter({ client, db, viewerTokens, epochs, publicUrl, secureCookies }: HandoffDeps): Router {
  const router = Router({ mergeParams: true });

  // Only the viewer: an operator key minting a viewer token would reach beyond its own scopes.
  router.post('/handoff', allow({ viewer: true }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id?: string }).id);
    const who = principalOf(res);
    if (who.kind !== 'viewer') throw new HttpError(403, 'insufficient_scope', "A hand-off needs the session's viewer token");
    const code = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + HANDOFF_TTL_MS);
    await db
      .insertInto('handoff_codes')
      .values({ code_digest: digest(code), session_id: row.id, epoch: who.epoch, token_expires_at: who.expiresAt, expires_at: expiresAt })
      .execute();
    // Codes nobody opened are worth nothing once expired: swept here rather than by a schedule.
    await db.deleteFrom('handoff_codes').where('expires_at', '<', new Date()).execute();
    const url = `${publicOrigin(req, publicUrl)}/?session=${encodeURIComponent(row.id)}#handoff=${code}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.set('Cache-Control', 'no-store').json({ url, qrSvg, expiresAt: expiresAt.toISOString(), viewerAccessUntil: who.expiresAt.toISOString() });
  });

  // Public (the phone has no credential yet): the code is the capability, good once.
  router.post('/handoff/redeem', allow({ public: true }), async (req, res) => {
    const sessionId = parseSessionId((req.params as { id?: string }).id);
    const { code } = redeemBody.parse(req.body ?? {});
    const used = await db
      .deleteFrom('handoff_codes')
      .where('code_digest', '=', digest(code))
      .where('session_id', '=', sessionId)
      .where('expires_at', '>', new Date())
      .returning(['epoch', 'token_expires_at'])
      .executeTakeFirst();
    // One answer for every dead code (unknown, used, expired, revoked, another session's).
    const dead = () => new HttpError(404, 'handoff_expired', 'This hand-off link has expired or was already used; make a new one on your other device');
    if (!used || used.epoch !== (await epochs.current(sessionId))) throw dead();
    const issued = viewerTokens.issue(sessionId, { epoch: used.epoch, notAfter: new Date(used.token_expires_at) });
    if (issued.expiresAt.getTime() <= Date.now()) throw dead();
    setViewerCookie(req, res, sessionId, issued, { secureCookies });
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  return router;
}
