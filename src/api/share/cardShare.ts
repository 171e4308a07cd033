// The public side of a shared card that is not one of the report's own (a Blend's, a year's): the
// page, its 1200×630 link preview and its 1080×1920 story image, over one `open` that turns a token
// into the card's words or says the link is dead. Every dead link answers the same 404.
import { type Request, type Response, Router } from 'express';
import { HttpError } from '../errors.js';
import { allow } from '../protection/access.js';
import { renderCardPng } from './cardImage.js';
import type { CardText } from './cardText.js';
import type { ImageCache, ImageKey } from './imageCache.js';
import { publicOrigin } from './origin.js';
import { SHARE_PAGE_CSP, notFoundPage, sharePage } from './sharePage.js';
import { renderStoryPng } from './storyImage.js';

export interface OpenedCard {
  text: CardText;
  /** Where its images are cached (a new key when what it shows changes). */
  cacheKey: ImageKey;
  /** The download's file name, without `.png`. */
  filename: string;
}

/** Mounted at /share/<kind>: public, read-only. */
export function publicCardRouter({ kind, open, images, publicUrl }: { kind: string; open: (token: string) => Promise<OpenedCard | undefined>; images: ImageCache; publicUrl?: string }): Router {
  const router = Router();

  router.get('/:token', allow({ public: true }), async (req, res) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex', 'Content-Security-Policy': SHARE_PAGE_CSP });
    const origin = publicOrigin(req, publicUrl);
    const opened = await open(String(req.params.token));
    if (!opened) return void res.status(404).type('html').send(notFoundPage(`${origin}/`));
    const page = `${origin}/share/${kind}/${String(req.params.token)}`;
    res.type('html').send(sharePage(opened.text, { page, image: `${page}/image.png`, story: `${page}/story.png`, home: `${origin}/` }));
  });

  const imageRoute = (file: string, suffix: string, render: (text: CardText) => Promise<Buffer>) =>
    router.get(`/:token/${file}`, allow({ public: true }), async (req: Request, res: Response) => {
      res.set('X-Robots-Tag', 'noindex');
      const opened = await open(String(req.params.token));
      if (!opened) throw new HttpError(404, 'not_found', 'No such shared card');
      const image = await images.getOrRender({ ...opened.cacheKey, card: `${opened.cacheKey.card}${suffix}` }, () => render(opened.text));
      // Revalidated on every use: a dead link stops showing its image at once.
      res.set({ 'Cache-Control': 'private, no-cache', ETag: image.etag });
      if (req.query.download === '1') res.set('Content-Disposition', `attachment; filename="${opened.filename}${suffix}.png"`);
      res.type('png').send(image.png);
    });
  imageRoute('image.png', '', renderCardPng);
  imageRoute('story.png', '-story', (text) => renderStoryPng(text.card, text));
  return router;
}
