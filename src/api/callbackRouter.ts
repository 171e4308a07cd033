// GET /api/callback?sessionID=…&dataKey=… — where Gandalf Connect redirects the viewer after they
// connect Netflix. Starts the session if needed (signal-with-start), then shows the viewer's page.
// With a callback secret, the link must carry a fresh, unused signature (src/api/protection/callbackSignature.ts).
import { Router } from 'express';
import { z } from 'zod';
import { createCallbackVerifier } from './protection/callbackSignature.js';
import { sessionIdSchema } from './sessionLookup.js';
import { dataKeySchema } from './sessionsRouter.js';
import type { SessionService } from './sessionService.js';
import { VIEWER_COOKIE, type ViewerTokens, viewerCookiePath } from './protection/viewerTokens.js';
import { allow } from './protection/access.js';
import { HttpError } from './errors.js';

const callbackQuery = z.object({ sessionID: sessionIdSchema, dataKey: dataKeySchema });

export function callbackRouter({ sessions, callbackSecret, viewerTokens }: { sessions: SessionService; callbackSecret?: string; viewerTokens: ViewerTokens }): Router {
  const router = Router();
  const verifier = callbackSecret ? createCallbackVerifier(callbackSecret) : undefined;
  router.get('/', allow({ public: true }), async (req, res) => {
    verifier?.verify(req.query as Record<string, unknown>);
    const { sessionID, dataKey } = callbackQuery.parse(req.query);
    const { finished } = await sessions.connectOrStart(sessionID, dataKey);
    if (finished && req.accepts(['html', 'json']) === 'json') throw new HttpError(409, 'session_finished', 'This session has already finished; start a new one to connect again');
    // Only a signed link (fresh, used once, made by whoever holds the secret) proves the caller is the
    // viewer this session was made for: then the browser gets the session's viewer cookie.
    let viewerToken: string | undefined;
    if (verifier) {
      const issued = viewerTokens.issue(sessionID);
      viewerToken = issued.token;
      res.cookie(VIEWER_COOKIE, issued.token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: viewerCookiePath(sessionID), expires: issued.expiresAt });
    }
    if (req.accepts(['html', 'json']) === 'json') res.status(202).json({ sessionId: sessionID, ...(viewerToken ? { viewerToken } : {}) });
    else res.redirect(303, `/?session=${encodeURIComponent(sessionID)}`);
  });
  return router;
}
