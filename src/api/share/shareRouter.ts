// Share links of a session's story cards: made and revoked by the viewer (or an operator) under
// /api/sessions/:id/share-links, opened by anyone under /share/<token>. Every dead link answers the
// same 404, whether its token is malformed or forged, revoked, or its session erased or reportless,
// so links cannot be used to find out which sessions exist.
import type { Client } from '@temporalio/client';
import { type Request, type Response, Router } from 'express';
import type { Db } from '../../db/index.js';
import { readReport } from '../../db/reportVersions.js';
import { STORY_CARDS, type StoryCard } from '../../domain/report.js';
import { HttpError } from '../errors.js';
import { allow } from '../protection/access.js';
import { type AuditSink, actorOf } from '../protection/audit.js';
import { findSession, parseSessionId, readSessionState } from '../sessionLookup.js';
import { renderCardPng } from './cardImage.js';
import { renderStoryPng } from './storyImage.js';
import { cardText } from './cardText.js';
import type { ImageCache } from './imageCache.js';
import { publicOrigin } from './origin.js';
import { SHARE_PAGE_CSP, notFoundPage, sharePage } from './sharePage.js';
import type { ShareLink, ShareLinks } from './shareLinks.js';

export interface ShareDeps {
  client: Client;
  db: Db;
  links: ShareLinks;
  images: ImageCache;
  /** PUBLIC_URL, when set. */
  publicUrl?: string;
  audit: AuditSink;
}

/** The number of the session's latest report version, without reading the report itself. */
async function latestVersion(db: Db, sessionId: string): Promise<number | undefined> {
  const row = await db.selectFrom('report_versions').select('version').where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row?.version;
}

/** Mounted at /api/sessions/:id. */
export function shareLinksRouter({ client, db, links, images, publicUrl, audit }: ShareDeps): Router {
  const router = Router({ mergeParams: true });
  const sessionParam = (req: Request) => (req.params as { id?: string }).id;

  // The viewer's own: publishing a session's cards is theirs to decide, not an operator key's.
  router.post('/share-links', allow({ viewer: true }), async (req, res) => {
    const sessionId = parseSessionId(sessionParam(req));
    if ((await latestVersion(db, sessionId)) === undefined) {
      const { state } = await readSessionState(client, await findSession(db, client, sessionId));
      throw new HttpError(409, 'not_ready', `There is no report to share yet (session is ${state})`);
    }
    const epoch = await links.epoch(sessionId);
    const origin = publicOrigin(req, publicUrl);
    const made = STORY_CARDS.map((card) => {
      const token = links.token(sessionId, card, epoch);
      return [card, { url: `${origin}/share/${token}`, imageUrl: `${origin}/share/${token}/image.png` }] as const;
    });
    res.set('Cache-Control', 'no-store').json({ links: Object.fromEntries(made) });
  });

  router.delete('/share-links', allow({ scope: 'admin', viewer: true }), async (req, res) => {
    const row = await findSession(db, client, sessionParam(req));
    const epoch = await links.revoke(row.id);
    // Hand-off links not yet opened go too: "stop sharing" means every link this session gave out.
    await db.deleteFrom('handoff_codes').where('session_id', '=', row.id).execute();
    audit({ action: 'revoke_share_links', sessionId: row.id, actor: actorOf(res) });
    // The old epoch's images can never be asked for again.
    images.dropSession(row.id);
    res.set('Cache-Control', 'no-store').json({ revoked: true, epoch });
  });

  return router;
}

/** Mounted at /share: public, read-only. */
export function shareRouter({ db, links, images, publicUrl }: ShareDeps): Router {
  const router = Router();

  /** The link and the version to show, or undefined for any dead link. */
  async function open(token: string): Promise<{ link: ShareLink; version: number } | undefined> {
    const link = await links.verify(token);
    if (!link) return undefined;
    const version = await latestVersion(db, link.sessionId);
    if (version === undefined) {
      // Forgotten (or never reported): nothing of it stays in memory either.
      images.dropSession(link.sessionId);
      return undefined;
    }
    return { link, version };
  }

  const pageNotFound = (res: Response, origin: string) => void res.status(404).type('html').send(notFoundPage(`${origin}/`));

  router.get('/:token', allow({ public: true }), async (req, res) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex', 'Content-Security-Policy': SHARE_PAGE_CSP });
    const origin = publicOrigin(req, publicUrl);
    const token = String(req.params.token);
    const opened = await open(token);
    const report = opened && (await readReport(db, opened.link.sessionId, opened.version));
    if (!opened || !report) return pageNotFound(res, origin);
    const page = `${origin}/share/${token}`;
    res.type('html').send(sharePage(cardText(report, opened.link.card), { page, image: `${page}/image.png`, story: `${page}/story.png`, home: `${origin}/` }));
  });

  /**
   * One card's image, in one of its formats: the 1200×630 link preview (`image.png`) or the 1080×1920
   * story (`story.png`; the summary card's is the poster). Same link, access and caching for both.
   */
  const imageRoute = (file: string, format: { cacheSuffix: string; filename: (card: string) => string; render: (card: StoryCard, text: ReturnType<typeof cardText>) => Promise<Buffer> }) =>
    router.get(`/:token/${file}`, allow({ public: true }), async (req, res) => {
      res.set('X-Robots-Tag', 'noindex');
      const notFound = () => new HttpError(404, 'not_found', 'No such shared card');
      const opened = await open(String(req.params.token));
      if (!opened) throw notFound();
      const { sessionId, card, epoch } = opened.link;
      const image = await images.getOrRender({ sessionId, card: `${card}${format.cacheSuffix}`, version: opened.version, epoch }, async () => {
        const report = await readReport(db, sessionId, opened.version);
        if (!report) throw notFound();
        return format.render(card, cardText(report, card));
      });
      // Revalidated on every use (a 304 is cheap): a revoked link stops showing its image at once.
      res.set({ 'Cache-Control': 'private, no-cache', ETag: image.etag });
      // Card names are plain ASCII: the quoted form needs no encoding.
      if (req.query.download === '1') res.set('Content-Disposition', `attachment; filename="${format.filename(card)}"`);
      res.type('png').send(image.png);
    });
  imageRoute('image.png', { cacheSuffix: '', filename: (card) => `showprint-${card}.png`, render: (_card, text) => renderCardPng(text) });
  imageRoute('story.png', { cacheSuffix: '.story', filename: (card) => `showprint-${card}-story.png`, render: (card, text) => renderStoryPng(card, text) });

  return router;
}
