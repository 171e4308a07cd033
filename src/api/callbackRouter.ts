// GET /api/callback?sessionID=…&dataKey=… — where Gandalf Connect redirects the viewer after they
// connect Netflix. Starts the session if needed (signal-with-start), then shows the viewer's page.
import { Router } from 'express';
import { z } from 'zod';
import { dataKeySchema, sessionIdSchema } from './sessionsRouter.js';
import type { SessionService } from './sessionService.js';

const callbackQuery = z.object({ sessionID: sessionIdSchema, dataKey: dataKeySchema });

export function callbackRouter({ sessions }: { sessions: SessionService }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { sessionID, dataKey } = callbackQuery.parse(req.query);
    await sessions.connectOrStart(sessionID, dataKey);
    if (req.accepts(['html', 'json']) === 'json') res.status(202).json({ sessionId: sessionID });
    else res.redirect(303, `/?session=${encodeURIComponent(sessionID)}`);
  });
  return router;
}
