// GET /api/callback?sessionID=…&dataKey=… — where Gandalf Connect redirects the viewer after they
// connect Netflix. Starts the session if needed (signal-with-start), then shows the viewer's page.
// With a callback secret, the link must carry a fresh, unused signature (src/api/protection/callbackSignature.ts).
import { Router } from 'express';
import { z } from 'zod';
import { createCallbackVerifier } from './protection/callbackSignature.js';
import { sessionIdSchema } from './sessionLookup.js';
import { dataKeySchema } from './sessionsRouter.js';
import type { SessionService } from './sessionService.js';
import { allow } from './protection/access.js';

const callbackQuery = z.object({ sessionID: sessionIdSchema, dataKey: dataKeySchema });

export function callbackRouter({ sessions, callbackSecret }: { sessions: SessionService; callbackSecret?: string }): Router {
  const router = Router();
  const verifier = callbackSecret ? createCallbackVerifier(callbackSecret) : undefined;
  router.get('/', allow({ public: true }), async (req, res) => {
    verifier?.verify(req.query as Record<string, unknown>);
    const { sessionID, dataKey } = callbackQuery.parse(req.query);
    await sessions.connectOrStart(sessionID, dataKey);
    if (req.accepts(['html', 'json']) === 'json') res.status(202).json({ sessionId: sessionID });
    else res.redirect(303, `/?session=${encodeURIComponent(sessionID)}`);
  });
  return router;
}
