// QR hand-off: the page on one device asks for a fresh viewer link to its session and shows it as
// a QR code, so the report opens on a phone without signing in. The link carries the token in its
// fragment, which browsers never send to a server; the page trades it for its cookie.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import QRCode from 'qrcode';
import type { Db } from '../../db/index.js';
import { allow } from '../protection/access.js';
import type { ViewerTokens } from '../protection/viewerTokens.js';
import { findSession } from '../sessionLookup.js';
import { publicOrigin } from './origin.js';

export interface HandoffDeps {
  client: Client;
  db: Db;
  viewerTokens: ViewerTokens;
  publicUrl?: string;
}

/** Mounted at /api/sessions/:id. */
export function handoffRouter({ client, db, viewerTokens, publicUrl }: HandoffDeps): Router {
  const router = Router({ mergeParams: true });

  router.post('/handoff', allow({ scope: 'write', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id?: string }).id);
    const { token, expiresAt } = viewerTokens.issue(row.id);
    const url = `${publicOrigin(req, publicUrl)}/?session=${encodeURIComponent(row.id)}#viewer=${token}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.set('Cache-Control', 'no-store').json({ url, qrSvg, expiresAt: expiresAt.toISOString() });
  });

  return router;
}
