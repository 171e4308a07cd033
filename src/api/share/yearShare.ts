// Share links of a year's cards ("Your 2025 in TV"): `<base64url(sessionId)>.<year>.<card>.<mac>`,
// the MAC over the session, year, card and the session's share epoch, so "Revoke share links"
// ends these with the rest. Made by the viewer under /api/sessions/:id/year-share-links, opened by
// anyone under /share/year/<token>. Every card says its year, on the page and in its images.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { yearReport } from '../../db/periodReports.js';
import { YEAR_CARDS, type YearCard, isYearCard, yearCardText } from '../../domain/period.js';
import type { StoryCard } from '../../domain/report.js';
import { HttpError } from '../errors.js';
import { allow } from '../protection/access.js';
import { parseSessionId, sessionIdSchema } from '../sessionLookup.js';
import { type OpenedCard, publicCardRouter } from './cardShare.js';
import type { CardText } from './cardText.js';
import type { ImageCache } from './imageCache.js';
import { publicOrigin } from './origin.js';
import type { ShareLinks } from './shareLinks.js';

export interface YearShareDeps {
  db: Db;
  /** The session's share epoch lives there: revoking its links revokes these too. */
  links: ShareLinks;
  key: Buffer;
  images: ImageCache;
  publicUrl?: string;
}

/** Whose colours each year card borrows. */
const YEAR_CARD_LOOK: Record<YearCard, StoryCard> = {
  yearOverview: 'overview',
  yearMostWatched: 'mostWatched',
  yearTopMonth: 'topShows',
  yearStreak: 'rtTaste',
  yearNewVsOld: 'genres',
  yearVersusAllTime: 'starSign',
};

const MAC_BYTES = 16;
const TOKEN = /^([A-Za-z0-9_-]{1,88})\.(\d{4})\.([A-Za-z]{1,32})\.([A-Za-z0-9_-]{22})$/;
const yearBody = z.object({ year: z.number().int().min(1990).max(2100) }).strict();

export function yearCardShareText(text: ReturnType<typeof yearCardText>, card: YearCard): CardText {
  return { card: YEAR_CARD_LOOK[card], eyebrow: text.eyebrow, title: text.title, lines: text.lines, bars: [], badge: null, rows: [], subject: null, provisional: false };
}

function signer(key: Buffer) {
  const mac = (sessionId: string, year: number, card: YearCard, epoch: number) => createHmac('sha256', key).update(`showprint year share v1\n${sessionId}\n${year}\n${card}\n${epoch}`).digest().subarray(0, MAC_BYTES);
  return {
    token: (sessionId: string, year: number, card: YearCard, epoch: number) => `${Buffer.from(sessionId).toString('base64url')}.${year}.${card}.${mac(sessionId, year, card, epoch).toString('base64url')}`,
    mac,
  };
}

/** Mounted at /api/sessions/:id: the viewer's own, like the report's share links. */
export function yearShareLinksRouter({ db, links, key, publicUrl }: YearShareDeps): Router {
  const router = Router({ mergeParams: true });
  const sign = signer(key);
  router.post('/year-share-links', allow({ viewer: true }), async (req, res) => {
    const sessionId = parseSessionId((req.params as { id?: string }).id);
    const { year } = yearBody.parse(req.body ?? {});
    const report = await yearReport(db, sessionId, year);
    if (report === undefined) throw new HttpError(409, 'not_ready', 'There is no report to share yet');
    if (report === null) throw new HttpError(404, 'no_such_year', `This history has nothing watched in ${year}`);
    const epoch = await links.epoch(sessionId);
    const origin = publicOrigin(req, publicUrl);
    const made = YEAR_CARDS.map((card) => {
      const token = sign.token(sessionId, year, card, epoch);
      return [card, { url: `${origin}/share/year/${token}`, imageUrl: `${origin}/share/year/${token}/image.png`, storyUrl: `${origin}/share/year/${token}/story.png` }] as const;
    });
    res.set('Cache-Control', 'no-store').json({ year, links: Object.fromEntries(made) });
  });
  return router;
}

/** Mounted at /share/year: public. */
export function yearShareRouter({ db, links, key, images, publicUrl }: YearShareDeps): Router {
  const sign = signer(key);
  async function open(token: string): Promise<OpenedCard | undefined> {
    const m = TOKEN.exec(token);
    if (!m || !isYearCard(m[3])) return undefined;
    const [, encoded, yearText, card, mac] = m as unknown as [string, string, string, YearCard, string];
    const sessionId = Buffer.from(encoded, 'base64url').toString('utf8');
    if (!sessionIdSchema.safeParse(sessionId).success || Buffer.from(sessionId).toString('base64url') !== encoded) return undefined;
    const year = Number(yearText);
    const epoch = await links.epoch(sessionId);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac || !timingSafeEqual(given, sign.mac(sessionId, year, card, epoch))) return undefined;
    const report = await yearReport(db, sessionId, year);
    if (!report) {
      images.dropSession(sessionId);
      return undefined;
    }
    return {
      text: yearCardShareText(yearCardText(report, card), card),
      cacheKey: { sessionId, card: `${year}.${card}`, version: report.basedOnVersion, epoch },
      filename: `showprint-${year}-${card}`,
    };
  }
  return publicCardRouter({ kind: 'year', open, images, publicUrl });
}
