// /api/sessions: start sessions, read their state and report. Lists come from the database
// projection; a running session's live state comes from its workflow query.
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type Request, type Response, Router } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { readReport } from '../db/reportVersions.js';
import { allow, principalOf } from './protection/access.js';
import { bearerToken } from './protection/apiKeys.js';
import { type StoredResponse, respondIdempotently } from './protection/idempotency.js';
import { VIEWER_COOKIE, type ViewerTokens, viewerCookiePath } from './protection/viewerTokens.js';
import {
  SESSION_STATES,
  type SessionProgress,
  type SessionState,
  connectSignal,
  isTerminalState,
  pauseUpdate,
  resumeUpdate,
  sessionWorkflowId,
} from '../contracts/index.js';
import { HttpError } from './errors.js';
import { findSession, liveProgress, sessionIdSchema } from './sessionLookup.js';
import type { SessionService } from './sessionService.js';

export interface SessionsDeps {
  client: Client;
  db: Db;
  sessions: SessionService;
  viewerTokens: ViewerTokens;
  /** How long DELETE waits for the forget receipt before answering 202. */
  forgetWaitMs?: number;
}

const dataKeySchema = z.string().trim().min(1, 'must not be empty').max(512, 'is too long');
const startBody = z.object({ dataKey: dataKeySchema.optional(), sessionId: sessionIdSchema.optional() }).strict();
const connectBody = z.object({ dataKey: dataKeySchema }).strict();
const pauseBody = z.object({ reason: z.string().trim().max(200).optional() }).strict();
const reportQuery = z.object({ version: z.coerce.number().int().min(1).max(1_000_000).optional() }).strict();
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  state: z.enum(SESSION_STATES).optional(),
});


/** An Update to a session's workflow; one that has finished, or refuses, is a 409 with its reason. */
async function updateSession(row: { id: string; state: string }, send: () => Promise<SessionProgress>): Promise<{ sessionId: string; progress: SessionProgress }> {
  if (isTerminalState(row.state as SessionState)) throw new HttpError(409, 'session_finished', `The session is ${row.state}: nothing to pause or resume`);
  try {
    return { sessionId: row.id, progress: await send() };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) {
      throw new HttpError(409, 'session_finished', (error.cause as Error | undefined)?.message ?? error.message);
    }
    throw error;
  }
}

export function sessionsRouter({ client, db, sessions, viewerTokens, forgetWaitMs = 30_000 }: SessionsDeps): Router {
  const router = Router();

  /**
   * The viewer token goes to whoever may hold it: an operator with `write` (an app acting for its
   * viewer) always; an anonymous caller (the demo page) only for a session this very request
   * created, so naming someone else's session id in a start never hands out their token.
   */
  const withViewerToken = (req: Request, res: Response) => (stored: StoredResponse, replayed: boolean): StoredResponse => {
    const { sessionId, created } = stored.body as { sessionId: string; created: boolean };
    const who = principalOf(res);
    if (!(who.kind === 'operator' || (created && !replayed))) return stored;
    const { token, expiresAt } = viewerTokens.issue(sessionId);
    res.cookie(VIEWER_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: viewerCookiePath(sessionId), expires: expiresAt });
    return { ...stored, body: { ...(stored.body as object), viewerToken: token, viewerTokenExpiresAt: expiresAt.toISOString() } };
  };

  router.post('/', allow({ scope: 'write', demoAnonymous: true }), async (req, res) => {
    const body = startBody.parse(req.body ?? {});
    // With an Idempotency-Key, a retry gets this first answer (and its generated sessionId) back.
    await respondIdempotently(
      db,
      req,
      res,
      body,
      async () => {
        const sessionId = body.sessionId ?? randomUUID();
        const { created } = await sessions.start(sessionId, body.dataKey);
        return {
          status: created ? 202 : 200,
          location: `/api/sessions/${sessionId}`,
          body: { sessionId, workflowId: sessionWorkflowId(sessionId), created, links: { self: `/api/sessions/${sessionId}`, report: `/api/sessions/${sessionId}/report` } },
        };
      },
      withViewerToken(req, res),
    );
  });

  router.get('/', allow({ scope: 'read' }), async (req, res) => {
    const query = listQuery.parse(req.query);
    let q = db.selectFrom('sessions').select(['id', 'state', 'failure_reason', 'created_at', 'completed_at']).orderBy('created_at', 'desc').limit(query.limit);
    if (query.state) q = q.where('state', '=', query.state);
    const rows = await q.execute();
    res.json({
      sessions: rows.map((r) => ({ sessionId: r.id, state: r.state, failureReason: r.failure_reason, createdAt: r.created_at, completedAt: r.completed_at })),
    });
  });

  router.get('/:id', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const progress = await liveProgress(client, row);
    res.json({
      sessionId: row.id,
      workflowId: row.workflow_id,
      state: progress?.state ?? row.state,
      // The workflow knows it failed a moment before its activity writes the row: take both from one place.
      failureReason: progress?.failureReason ?? row.failure_reason,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      progress,
      links: { report: `/api/sessions/${row.id}/report` },
    });
  });

  // The latest report version, or `?version=N`; a version is never edited once stored.
  router.get('/:id/report', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const { version } = reportQuery.parse(req.query);
    const row = await findSession(db, client, req.params.id);
    const report = await readReport(db, row.id, version);
    if (!report) {
      if (version !== undefined) throw new HttpError(404, 'no_such_version', `This session has no report version ${version}`);
      if (row.state === 'FAILED') throw new HttpError(409, 'session_failed', `Session failed: ${row.failure_reason ?? 'unknown reason'}`);
      throw new HttpError(409, 'not_ready', `The report is not ready yet (session is ${row.state})`);
    }
    // The latest version changes as the session goes on; a given version never does.
    res.set('Cache-Control', version === undefined ? 'no-store' : 'private, max-age=31536000, immutable');
    res.json(report);
  });

  router.post('/:id/connect', allow({ scope: 'write', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const { dataKey } = connectBody.parse(req.body ?? {});
    await client.workflow.getHandle(row.workflow_id).signal(connectSignal, { dataKey });
    res.status(202).json({ sessionId: row.id });
  });

  // The control plane: hold a session's new work, or let it go on (Updates answer with the new progress).
  router.post('/:id/pause', allow({ scope: 'admin' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const { reason } = pauseBody.parse(req.body ?? {});
    res.json(await updateSession(row, () => client.workflow.getHandle(row.workflow_id).executeUpdate(pauseUpdate, { args: [{ reason }] })));
  });
  router.post('/:id/resume', allow({ scope: 'admin' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    res.json(await updateSession(row, () => client.workflow.getHandle(row.workflow_id).executeUpdate(resumeUpdate)));
  });

  router.post('/:id/cancel', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    await client.workflow.getHandle(row.workflow_id).cancel();
    res.status(202).json({ sessionId: row.id });
  });

  // Trades a viewer token sent as a header (from a `#viewer=` link) for the session's cookie, so the
  // page can use it; the cookie is HttpOnly, so page scripts never hold the token again.
  router.post('/:id/viewer-cookie', allow({ viewer: true }), (req, res) => {
    const token = bearerToken(req.get('authorization'));
    const checked = token === undefined ? undefined : viewerTokens.check(token);
    if (!checked?.ok) throw new HttpError(400, 'no_viewer_token', 'Send the viewer token as Authorization: Bearer <token>');
    res.cookie(VIEWER_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: viewerCookiePath(checked.sessionId), expires: checked.expiresAt });
    res.status(204).end();
  });

  // "Forget me": the viewer's own token, or an operator with `admin`.
  router.delete('/:id', allow({ scope: 'admin', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const requestedBy = principalOf(res).kind === 'viewer' ? 'viewer' : 'operator';
    const { workflowId, receipt } = await sessions.forget(row.id, requestedBy, forgetWaitMs);
    res.clearCookie(VIEWER_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: viewerCookiePath(row.id) });
    if (!receipt) return void res.status(202).json({ sessionId: row.id, forgetWorkflowId: workflowId, status: 'erasing' });
    res.status(200).json({ receipt });
  });

  return router;
}

export { dataKeySchema };
