// /api/sessions: start sessions, read their state and report. Lists come from the database
// projection; a running session's live state comes from its workflow query.
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type Request, type Response, Router } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { readReport } from '../db/reportVersions.js';
import { sessionYears, yearReport } from '../db/periodReports.js';
import { YEAR_CARDS, yearCardText } from '../domain/period.js';
import { allow, principalOf } from './protection/access.js';
import { bearerToken } from './protection/apiKeys.js';
import { type StoredResponse, respondIdempotently } from './protection/idempotency.js';
import { VIEWER_COOKIE, type ViewerTokenEpochs, type ViewerTokens, setViewerCookie, viewerCookieOptions } from './protection/viewerTokens.js';
import type { ConnectStates } from './protection/connectState.js';
import { type AuditSink, actorOf } from './protection/audit.js';
import {
  SESSION_STATES,
  type SessionProgress,
  type SessionState,
  connectUpdate,
  isTerminalState,
  pauseUpdate,
  resumeUpdate,
  sessionWorkflowId,
} from '../contracts/index.js';
import { HttpError } from './errors.js';
import { type SessionRow, findSession, readSessionState, sessionIdSchema } from './sessionLookup.js';
import type { SessionService } from './sessionService.js';

export interface SessionsDeps {
  client: Client;
  db: Db;
  sessions: SessionService;
  viewerTokens: ViewerTokens;
  epochs: ViewerTokenEpochs;
  connectStates: ConnectStates;
  /** Mark the viewer cookie Secure whatever the request's scheme (every deployment but the local demo). */
  secureCookies: boolean;
  audit: AuditSink;
  /** How long DELETE waits for the forget receipt before answering 202. */
  forgetWaitMs?: number;
}

const dataKeySchema = z.string().trim().min(1, 'must not be empty').max(512, 'is too long');
const startBody = z.object({ dataKey: dataKeySchema.optional(), sessionId: sessionIdSchema.optional() }).strict();
const connectBody = z.object({ dataKey: dataKeySchema }).strict();
const pauseBody = z.object({ reason: z.string().trim().max(200).optional() }).strict();
const reportQuery = z
  .object({ version: z.coerce.number().int().min(1).max(1_000_000).optional(), year: z.coerce.number().int().min(1990).max(2100).optional() })
  .strict()
  .refine((q) => q.version === undefined || q.year === undefined, 'version and year do not go together: a year report is built beside the latest version');
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  state: z.enum(SESSION_STATES).optional(),
});


/** An Update to a session's workflow; one that has finished, or refuses, is a 409 with its reason. */
async function updateSession(client: Client, row: SessionRow, send: () => Promise<SessionProgress>): Promise<{ sessionId: string; progress: SessionProgress }> {
  // Over already is cheap to tell; a session finishing right now is the workflow's to refuse.
  const { state } = await readSessionState(client, row, { live: false });
  if (isTerminalState(state)) throw new HttpError(409, 'session_finished', `The session is ${state}: nothing to pause or resume`);
  try {
    return { sessionId: row.id, progress: await send() };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) {
      throw new HttpError(409, 'session_finished', (error.cause as Error | undefined)?.message ?? error.message);
    }
    throw error;
  }
}

export function sessionsRouter({ client, db, sessions, viewerTokens, epochs, connectStates, secureCookies, audit, forgetWaitMs = 30_000 }: SessionsDeps): Router {
  const router = Router();

  /**
   * The viewer token (and a waiting session's connect `state`) go only to the caller that created
   * the session, in the answer to the request that created it. An operator's idempotent retry is the
   * same caller (idempotency keys are scoped per key) and gets them again; nobody who merely names an
   * existing session id gets anything, whatever their scopes.
   */
  const withViewerToken = (req: Request, res: Response) => (stored: StoredResponse, replayed: boolean): StoredResponse => {
    const { sessionId, created, state } = stored.body as { sessionId: string; created: boolean; state: SessionState };
    const who = principalOf(res);
    if (!created || (replayed && who.kind !== 'operator')) return stored;
    const issued = viewerTokens.issue(sessionId);
    setViewerCookie(req, res, sessionId, issued, { secureCookies });
    const connect = state === 'AWAITING_CONNECTION' ? { connectState: connectStates.issue(sessionId) } : {};
    return { ...stored, body: { ...(stored.body as object), viewerToken: issued.token, viewerTokenExpiresAt: issued.expiresAt.toISOString(), ...connect } };
  };

  router.post('/', allow({ scope: 'write', demoAnonymous: true }), async (req, res) => {
    const body = startBody.parse(req.body ?? {});
    // An anonymous caller (the demo page) gets a fresh id: naming one would let anyone probe which ids exist.
    if (body.sessionId !== undefined && principalOf(res).kind !== 'operator') {
      throw new HttpError(400, 'session_id_not_allowed', 'Only an operator key may choose a session id; leave sessionId out and one is made for you');
    }
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
          body: { sessionId, workflowId: sessionWorkflowId(sessionId), created, state: body.dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION', links: { self: `/api/sessions/${sessionId}`, report: `/api/sessions/${sessionId}/report` } },
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
    const { state, failureReason, progress } = await readSessionState(client, row);
    res.json({
      sessionId: row.id,
      workflowId: row.workflow_id,
      state,
      failureReason,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      progress,
      links: { report: `/api/sessions/${row.id}/report` },
    });
  });

  // The latest report version, or `?version=N`; a version is never edited once stored.
  router.get('/:id/report', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const { version, year } = reportQuery.parse(req.query);
    const row = await findSession(db, client, req.params.id);
    const report = year === undefined ? await readReport(db, row.id, version) : await yearReport(db, row.id, year);
    if (report === null) throw new HttpError(404, 'no_such_year', `This history has nothing watched in ${year}`);
    if (!report) {
      if (version !== undefined) throw new HttpError(404, 'no_such_version', `This session has no report version ${version}`);
      const { state, failureReason } = await readSessionState(client, row);
      if (state === 'FAILED') throw new HttpError(409, 'session_failed', `Session failed: ${failureReason ?? 'unknown reason'}`);
      throw new HttpError(409, 'not_ready', `The report is not ready yet (session is ${state})`);
    }
    // Personal data: no browser or proxy keeps a copy that would outlive a forget.
    res.set('Cache-Control', 'no-store');
    // A year report comes with its cards' words, the same the CLI prints and its images draw.
    res.json('kind' in report ? { ...report, cards: YEAR_CARDS.map((card) => ({ card, ...yearCardText(report, card) })) } : report);
  });

  // The years the history covers, in the order the page offers them (current year first once it has enough).
  router.get('/:id/years', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    res.set('Cache-Control', 'no-store').json({ years: await sessionYears(db, row.id) });
  });

  router.post('/:id/connect', allow({ scope: 'write', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const { dataKey } = connectBody.parse(req.body ?? {});
    try {
      await client.workflow.getHandle(row.workflow_id).executeUpdate(connectUpdate, { args: [{ dataKey }] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) {
        throw new HttpError(409, 'not_waiting', `The session is not waiting for a dataKey: ${(error.cause as Error | undefined)?.message ?? error.message}`);
      }
      throw error;
    }
    res.status(202).json({ sessionId: row.id });
  });

  // The control plane: hold a session's new work, or let it go on (Updates answer with the new progress).
  router.post('/:id/pause', allow({ scope: 'admin' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const { reason } = pauseBody.parse(req.body ?? {});
    audit({ action: 'pause', sessionId: row.id, actor: actorOf(res) });
    res.json(await updateSession(client, row, () => client.workflow.getHandle(row.workflow_id).executeUpdate(pauseUpdate, { args: [{ reason }] })));
  });
  router.post('/:id/resume', allow({ scope: 'admin' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    audit({ action: 'resume', sessionId: row.id, actor: actorOf(res) });
    res.json(await updateSession(client, row, () => client.workflow.getHandle(row.workflow_id).executeUpdate(resumeUpdate)));
  });

  router.post('/:id/cancel', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    audit({ action: 'cancel', sessionId: row.id, actor: actorOf(res) });
    await client.workflow.getHandle(row.workflow_id).cancel();
    res.status(202).json({ sessionId: row.id });
  });

  // Trades a viewer token sent as a header (from a `#viewer=` link) for the session's cookie, so the
  // page can use it; the cookie is HttpOnly, so page scripts never hold the token again.
  router.post('/:id/viewer-cookie', allow({ viewer: true }), (req, res) => {
    const token = bearerToken(req.get('authorization'));
    const checked = token === undefined ? undefined : viewerTokens.check(token);
    // The guard has checked its epoch already (a revoked token never gets here).
    if (!checked?.ok) throw new HttpError(400, 'no_viewer_token', 'Send the viewer token as Authorization: Bearer <token>');
    setViewerCookie(req, res, checked.sessionId, { token: token!, expiresAt: checked.expiresAt }, { secureCookies });
    res.status(204).end();
  });

  // Log out every device: every viewer token and hand-off link of the session stops working. The
  // viewer's own, or an admin's (a stolen token reported to support).
  router.delete('/:id/viewer-tokens', allow({ scope: 'admin', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const epoch = await epochs.revoke(row.id);
    audit({ action: 'revoke_viewer_tokens', sessionId: row.id, actor: actorOf(res) });
    res.clearCookie(VIEWER_COOKIE, viewerCookieOptions(req, row.id, { secureCookies }));
    res.set('Cache-Control', 'no-store').json({ revoked: true, epoch });
  });

  // "Forget me": the viewer's own token, or an operator with `admin`.
  router.delete('/:id', allow({ scope: 'admin', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, req.params.id);
    const who = principalOf(res);
    const requestedBy = who.kind === 'viewer' ? 'viewer' : 'operator';
    audit({ action: 'forget', sessionId: row.id, actor: actorOf(res) });
    const { workflowId, receipt } = await sessions.forget(row.id, requestedBy, forgetWaitMs, who.kind === 'operator' ? who.keyId : undefined);
    res.clearCookie(VIEWER_COOKIE, viewerCookieOptions(req, row.id, { secureCookies }));
    if (!receipt) return void res.status(202).json({ sessionId: row.id, forgetWorkflowId: workflowId, status: 'erasing' });
    res.status(200).json({ receipt });
  });

  return router;
}

export { dataKeySchema };
