// Blends over HTTP. Under /api/sessions/:id (so a viewer's cookie and token work as for their own
// report): viewer A makes and revokes invitations, viewer B accepts one, which starts BlendWorkflow;
// either reads the Blend, from their own session's path. Reading is a hidden route: anyone else gets
// the same 404 as for a Blend that does not exist. Under /share/blend: a Blend card's public link.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type Request, Router } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { BLEND_CARDS, BLEND_WORKFLOW_TYPE, type BlendCard, type BlendInput, type BlendReport, type BlendWorkflowType, blendWorkflowId, isBlendCard } from '../../contracts/blend.js';
import type { Db } from '../../db/index.js';
import { HttpError } from '../errors.js';
import { allow, notFoundBlend } from '../protection/access.js';
import { type AuditSink, actorOf } from '../protection/audit.js';
import { findSession, parseSessionId } from '../sessionLookup.js';
import { type OpenedCard, publicCardRouter } from '../share/cardShare.js';
import type { ImageCache } from '../share/imageCache.js';
import { publicOrigin } from '../share/origin.js';
import { blendCardText } from './blendCards.js';
import type { BlendInvitations } from './invitations.js';

export interface BlendDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  invitations: BlendInvitations;
  /** Signs Blend share links (a key of its own, derived from the viewer-token secret). */
  shareKey: Buffer;
  images: ImageCache;
  publicUrl?: string;
  audit: AuditSink;
}

const acceptBody = z.object({ invitation: z.string().trim().min(1).max(200) }).strict();
const blendIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

type BlendRow = { id: string; session_a: string; session_b: string; state: string; failure_reason: string | null; report: unknown; created_at: Date; completed_at: Date | null };

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

/** A Blend as one of its sessions sees it: the swap named from that side, never the other's history. */
export function blendView(row: BlendRow, sessionId: string) {
  const report = row.report as BlendReport | null;
  const isA = row.session_a === sessionId;
  const view = report && {
    blendId: report.blendId,
    generatedAt: report.generatedAt,
    matchScore: report.matchScore,
    parts: report.parts,
    sharedShows: report.sharedShows,
    youShowThem: isA ? report.aShowsB : report.bShowsA,
    theyShowYou: isA ? report.bShowsA : report.aShowsB,
    line: report.line,
    lineSource: report.lineSource,
  };
  // The cards' words from this side, the same the share images draw (spoken to the pair there).
  const cards = report && BLEND_CARDS.map((card) => ({ card, ...pick(blendCardText(report, card, isA ? 'a' : 'b'), ['eyebrow', 'title', 'lines']) }));
  return { blendId: row.id, role: isA ? 'inviter' : 'invitee', state: row.state, failureReason: row.failure_reason, createdAt: row.created_at, completedAt: row.completed_at, report: view, cards };
}

/** The Blend with this id that `sessionId` is in, else undefined (outsiders learn nothing). */
async function blendOf(db: Db, sessionId: string, blendId: unknown): Promise<BlendRow | undefined> {
  const id = blendIdSchema.safeParse(blendId);
  if (!id.success) return undefined;
  const row = await db.selectFrom('blends').selectAll().where('id', '=', id.data).executeTakeFirst();
  return row && (row.session_a === sessionId || row.session_b === sessionId) ? row : undefined;
}

const MAC_BYTES = 16;
const SHARE_TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z]{1,32})\.([A-Za-z0-9_-]{22})$/;
const shareMac = (key: Buffer, blendId: string, card: BlendCard) => createHmac('sha256', key).update(`showprint blend share v1\n${blendId}\n${card}`).digest().subarray(0, MAC_BYTES);
const shareToken = (key: Buffer, blendId: string, card: BlendCard) => `${blendId}.${card}.${shareMac(key, blendId, card).toString('base64url')}`;

/** Mounted at /api/sessions/:id. */
export function blendRouter({ client, db, taskQueue, invitations, shareKey, publicUrl, audit }: BlendDeps): Router {
  const router = Router({ mergeParams: true });
  const sessionOf = (req: Request) => parseSessionId((req.params as { id?: string }).id);

  // Inviting is the viewer's own act: no operator key invites on a viewer's behalf.
  router.post('/blend-invitations', allow({ viewer: true }), async (req, res) => {
    const row = await findSession(db, client, sessionOf(req));
    const made = await invitations.create(row.id);
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json({ invitationId: made.id, expiresAt: made.expiresAt.toISOString(), url: `${publicOrigin(req, publicUrl)}/#blend=${made.token}` });
  });

  // Revoking: nobody can accept it from now on (Blends accepted before stay; forgetting ends those).
  router.delete('/blend-invitations/:invitationId', allow({ scope: 'admin', viewer: true }), async (req, res) => {
    const sessionId = sessionOf(req);
    if (!(await invitations.revoke(sessionId, String(req.params.invitationId)))) throw new HttpError(404, 'no_such_invitation', 'This session has no such Blend invitation');
    audit({ action: 'revoke_blend_invitation', sessionId, actor: actorOf(res) });
    res.set('Cache-Control', 'no-store').json({ revoked: true });
  });

  // Accepting, as viewer B of this session: starts the Blend's workflow, which waits for both reports.
  router.post('/blends', allow({ viewer: true }), async (req, res) => {
    const { invitation } = acceptBody.parse(req.body ?? {});
    const row = await findSession(db, client, sessionOf(req));
    const opened = await invitations.open(invitation);
    if (!opened.ok) throw new HttpError(410, 'invitation_dead', opened.reason);
    if (opened.invitation.inviterSessionId === row.id) throw new HttpError(409, 'own_invitation', 'This is your own invitation: send the link to the person you want to blend with');
    const input: BlendInput = { blendId: randomBytes(16).toString('base64url'), sessionA: opened.invitation.inviterSessionId, sessionB: row.id };
    // Accepting twice finds the first Blend.
    await db
      .insertInto('blends')
      .values({ id: input.blendId, invitation_id: opened.invitation.id, session_a: input.sessionA, session_b: input.sessionB, state: 'WAITING' })
      .onConflict((oc) => oc.columns(['invitation_id', 'session_b']).doNothing())
      .execute();
    const blend = await db.selectFrom('blends').selectAll().where('invitation_id', '=', opened.invitation.id).where('session_b', '=', row.id).executeTakeFirstOrThrow();
    try {
      await client.workflow.start<BlendWorkflowType>(BLEND_WORKFLOW_TYPE, { taskQueue, workflowId: blendWorkflowId(blend.id), args: [{ blendId: blend.id, sessionA: blend.session_a, sessionB: blend.session_b }] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const self = `/api/sessions/${row.id}/blends/${blend.id}`;
    res.status(202).location(self).set('Cache-Control', 'no-store').json({ ...blendView(blend, row.id), links: { self } });
  });

  router.get('/blends', allow({ scope: 'read', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, sessionOf(req));
    const blends = await db.selectFrom('blends').selectAll().where((eb) => eb.or([eb('session_a', '=', row.id), eb('session_b', '=', row.id)])).orderBy('created_at', 'desc').execute();
    const open = await db.selectFrom('blend_invitations').select(['id', 'expires_at']).where('inviter_session_id', '=', row.id).where('revoked_at', 'is', null).where('expires_at', '>', new Date()).orderBy('created_at', 'desc').execute();
    res.set('Cache-Control', 'no-store').json({
      blends: blends.map((b) => ({ ...blendView(b, row.id), report: undefined, cards: undefined, matchScore: (b.report as BlendReport | null)?.matchScore ?? null })),
      invitations: open.map((i) => ({ invitationId: i.id, expiresAt: i.expires_at })),
    });
  });

  // Hidden: its two viewers (each from their own session's path) and `read` operators; everyone else, 404.
  router.get('/blends/:blendId', allow({ scope: 'read', viewer: true, hidden: true }), async (req, res) => {
    const blend = await blendOf(db, sessionOf(req), req.params.blendId);
    if (!blend) return notFoundBlend(res, String(req.params.blendId));
    res.set('Cache-Control', 'no-store').json(blendView(blend, sessionOf(req)));
  });

  router.post('/blends/:blendId/share-links', allow({ viewer: true }), async (req, res) => {
    const blend = await blendOf(db, sessionOf(req), req.params.blendId);
    if (!blend) return notFoundBlend(res, String(req.params.blendId));
    if (blend.state !== 'COMPLETED') throw new HttpError(409, 'not_ready', `The Blend is not ready yet (${blend.state})`);
    const origin = publicOrigin(req, publicUrl);
    const links = BLEND_CARDS.map((card) => {
      const token = shareToken(shareKey, blend.id, card);
      return [card, { url: `${origin}/share/blend/${token}`, imageUrl: `${origin}/share/blend/${token}/image.png`, storyUrl: `${origin}/share/blend/${token}/story.png` }] as const;
    });
    res.set('Cache-Control', 'no-store').json({ links: Object.fromEntries(links) });
  });

  return router;
}

/** Mounted at /share/blend: public. A dead link (malformed, forged, its Blend erased) answers one 404. */
export function blendShareRouter({ db, shareKey, images, publicUrl }: BlendDeps): Router {
  async function open(token: string): Promise<OpenedCard | undefined> {
    const m = SHARE_TOKEN.exec(token);
    if (!m || !isBlendCard(m[2])) return undefined;
    const [, blendId, card, mac] = m as unknown as [string, string, BlendCard, string];
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac || !timingSafeEqual(given, shareMac(shareKey, blendId, card))) return undefined;
    const row = await db.selectFrom('blends').select('report').where('id', '=', blendId).executeTakeFirst();
    if (!row?.report) {
      images.dropSession(blendWorkflowId(blendId));
      return undefined;
    }
    return { text: blendCardText(row.report as BlendReport, card), cacheKey: { sessionId: blendWorkflowId(blendId), card, version: 1, epoch: 0 }, filename: `showprint-${card}` };
  }
  return publicCardRouter({ kind: 'blend', open, images, publicUrl });
}
