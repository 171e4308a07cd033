// GET /api/callback?sessionID=…&state=…&dataKey=… — where Gandalf Connect redirects the viewer after
// they connect Netflix. The session must already exist and wait for its key (POST /api/sessions
// without a dataKey hands its creator the `state`); a callback never starts a session. The key is
// delivered with the session's connect Update, and only when it was the key taken does the browser
// get the session's viewer cookie. With a callback secret the link must also carry a fresh, unused
// signature (src/api/protection/callbackSignature.ts); outside the local demo it is not mounted without one.
import { Router } from 'express';
import { z } from 'zod';
import { createCallbackVerifier } from './protection/callbackSignature.js';
import type { ConnectStates } from './protection/connectState.js';
import { sessionIdSchema } from './sessionLookup.js';
import { dataKeySchema } from './sessionsRouter.js';
import type { SessionService } from './sessionService.js';
import { type ViewerTokenEpochs, type ViewerTokens, setViewerCookie } from './protection/viewerTokens.js';
import { allow } from './protection/access.js';
import { HttpError } from './errors.js';

const callbackQuery = z.object({ sessionID: sessionIdSchema, dataKey: dataKeySchema, state: z.string().max(100).optional() });

export interface CallbackDeps {
  sessions: SessionService;
  callbackSecret?: string;
  connectStates: ConnectStates;
  viewerTokens: ViewerTokens;
  epochs: ViewerTokenEpochs;
  secureCookies: boolean;
}

export function callbackRouter({ sessions, callbackSecret, connectStates, viewerTokens, epochs, secureCookies }: CallbackDeps): Router {
  const router = Router();
  const verifier = callbackSecret ? createCallbackVerifier(callbackSecret) : undefined;
  router.get('/', allow({ public: true }), async (req, res) => {
    verifier?.verify(req.query as Record<string, unknown>);
    const { sessionID, dataKey, state } = callbackQuery.parse(req.query);
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    // One answer for every refusal (wrong state, unknown, finished, erased or already connected), so
    // a callback cannot be used to find out which sessions exist or what became of them.
    const accepted = connectStates.verify(sessionID, state) && (await sessions.connect(sessionID, dataKey));
    if (!accepted) {
      if (wantsJson) throw new HttpError(409, 'connect_refused', 'This connection link cannot be used: it is not for a session waiting to be connected');
      return void res.redirect(303, '/?connect=refused');
    }
    const issued = viewerTokens.issue(sessionID, { epoch: await epochs.current(sessionID) });
    // Lax: the cookie arrives on Gandalf's top-level redirect back to us.
    setViewerCookie(req, res, sessionID, issued, { secureCookies, sameSite: 'lax' });
    if (wantsJson) res.status(202).set('Cache-Control', 'no-store').json({ sessionId: sessionID, viewerToken: issued.token });
    else res.redirect(303, `/?session=${encodeURIComponent(sessionID)}`);
  });
  return router;
}
