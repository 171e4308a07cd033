// Rotten Tomatoes site stand-in: robots.txt, /search HTML with web-component rows, /tv/<slug> pages.
import express, { type Request, type Response } from 'express';
import { buildCatalog, type Catalog, type CatalogShow } from './catalog.js';
import type { Standin } from './http.js';
import { gateMiddleware, ServiceGate, type Limits } from './limits.js';
import { hashString, mulberry32, pick, randInt, shuffleInPlace, type Rng } from './random.js';
import { escapeHtml, normalizeTitle, slugify, stripDiacritics } from './text.js';
import * as W from './wordlists.js';

export interface RtStandinOptions {
  limits?: Partial<Limits>;
  catalog?: Catalog;
}

interface Row {
  title: string;
  href: string;
  cast: string[];
  startYear: string;
  endYear: string;
  score: number | null;
}

const MAX_TV_ROWS = 10;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} | Rotten Tomatoes</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body class="body no-touch">
  <div id="header-main"><rt-header-nav></rt-header-nav></div>
  <main id="main_container" class="container rt-layout__body">
${body}
  </main>
  <footer><p>Stand-in for local development. Not affiliated with Rotten Tomatoes.</p></footer>
</body>
</html>
`;
}

function mediaRow(r: Row, kind: 'tv' | 'movie'): string {
  const years = kind === 'tv'
    ? `start-year="${escapeHtml(r.startYear)}" end-year="${escapeHtml(r.endYear)}"`
    : `release-year="${escapeHtml(r.startYear)}"`;
  const score = r.score === null ? '' : String(r.score);
  const sentiment = r.score === null ? '' : r.score >= 60 ? 'positive' : 'negative';
  return `        <search-page-media-row cast="${escapeHtml(r.cast.join(','))}" ${years} tomatometer-is-certified="${r.score !== null && r.score >= 75 ? 'true' : ''}" tomatometer-score="${score}" tomatometer-sentiment="${sentiment}" data-qa="data-row">
          <a href="${escapeHtml(r.href)}" class="unset" data-qa="thumbnail-link" slot="thumbnail"><img src="https://resizing.flixster.com/placeholder.jpg" alt="${escapeHtml(r.title)}"></a>
          <a href="${escapeHtml(r.href)}" class="unset" data-qa="info-name" slot="title">
            ${escapeHtml(r.title)}
          </a>
        </search-page-media-row>`;
}

function resultGroup(type: 'tvSeries' | 'movie', heading: string, rows: string[]): string {
  return `      <search-page-result skeleton="panel" type="${type}" data-qa="search-result">
        <h2 slot="title" data-qa="search-result-title">${heading}</h2>
        <ul slot="list">
${rows.join('\n')}
        </ul>
      </search-page-result>`;
}

export function createRtStandin(opts: RtStandinOptions = {}): Standin {
  const catalog = opts.catalog ?? buildCatalog();
  const gate = new ServiceGate('rt', opts.limits, 303);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const onRt = catalog.shows.filter((s) => s.rt !== null).map((s) => ({ show: s, key: normalizeTitle(s.name) }));
  const bySlug = new Map(onRt.map(({ show }) => [show.rt!.slug, show]));

  const actorName = (id: number): string => catalog.actorById.get(id)?.name ?? 'Unknown';

  /** RT's cast line: the leads, sometimes reordered, sometimes without accents, sometimes with an RT-only name. */
  const rtCast = (show: CatalogShow, rng: Rng): string[] => {
    const k = Math.min(show.cast.length, randInt(rng, 3, 6));
    let names = show.cast.slice(0, k).map((m) => actorName(m.actorId));
    if (rng() < 0.3) names = shuffleInPlace(rng, names);
    if (rng() < 0.3) names = names.map((n) => stripDiacritics(n));
    if (names.length >= 4 && rng() < 0.2) names[names.length - 1] = `${pick(rng, W.FIRST_NAMES)} ${pick(rng, W.LAST_NAMES)}`;
    return names;
  };

  const endYear = (show: CatalogShow, rng: Rng): string => {
    const start = Number(show.firstAirDate.slice(0, 4));
    if (start >= 2026 || rng() < 0.3) return '';
    return String(Math.min(2026, start + Math.max(0, show.numberOfSeasons - 1) + randInt(rng, 0, 1)));
  };

  const showRow = (show: CatalogShow, origin: string): Row => {
    const rng = mulberry32(hashString(`rt-row:${show.id}`));
    return {
      title: show.name,
      href: `${origin}/tv/${show.rt!.slug}`,
      cast: rtCast(show, rng),
      startYear: show.firstAirDate.slice(0, 4),
      endYear: endYear(show, rng),
      score: show.rt!.criticsScore,
    };
  };

  /** A same-ish title with an unrelated cast, so clients must check the cast. */
  const decoyRow = (show: CatalogShow, origin: string, rng: Rng): Row => {
    const taken = new Set(show.cast.map((m) => m.actorId));
    const cast: string[] = [];
    while (cast.length < 4) {
      const actor = pick(rng, catalog.actors);
      if (!taken.has(actor.id)) {
        taken.add(actor.id);
        cast.push(actor.name);
      }
    }
    const year = randInt(rng, 1990, 2024);
    const title = rng() < 0.5 ? show.name : `${show.name} (${year})`;
    return {
      title,
      href: `${origin}/tv/${slugify(show.name)}_${year}_${randInt(rng, 100, 999)}`,
      cast,
      startYear: String(year),
      endYear: rng() < 0.5 ? '' : String(year + randInt(rng, 0, 4)),
      score: rng() < 0.3 ? null : randInt(rng, 20, 98),
    };
  };

  const router = express.Router();
  router.use(
    gateMiddleware(gate, (req) => req.get('user-agent') ?? '', {
      throttled: (res) => res.status(429).type('text/html').send(page('Too Many Requests', '<h1>Too Many Requests</h1>')),
      fault: (res, status) =>
        res.status(status).type('text/html').send(page('Error', `<h1>${status === 503 ? 'Service Unavailable' : 'Internal Server Error'}</h1>`)),
    }),
  );

  router.get('/robots.txt', (_req, res) => {
    res.type('text/plain').send('User-agent: *\nDisallow: /napi/\nDisallow: /api/\nCrawl-delay: 1\n');
  });

  router.get('/search', (req: Request, res: Response) => {
    const raw = typeof req.query.search === 'string' ? req.query.search : '';
    const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const q = normalizeTitle(raw);
    const tvRows: Row[] = [];
    if (q) {
      const exact = onRt.filter((x) => x.key === q).map((x) => x.show);
      const partial = onRt.filter((x) => x.key !== q && ` ${x.key} `.includes(` ${q} `)).map((x) => x.show);
      const rng = mulberry32(hashString(`rt-search:${q}`));
      // Same-name shows (TMDB decoys) in a hash-chosen order: the right one is not always first.
      if (rng() < 0.5) exact.reverse();
      if (exact.length > 0 && rng() < 0.35) tvRows.push(decoyRow(exact[0], origin, rng));
      for (const s of exact) tvRows.push(showRow(s, origin));
      partial.sort((a, b) => b.popularity - a.popularity);
      for (const s of partial) tvRows.push(showRow(s, origin));
    }
    const tv = tvRows.slice(0, MAX_TV_ROWS);

    // A few unrelated films, as the real search mixes media types.
    const frng = mulberry32(hashString(`rt-films:${q}`));
    const films: Row[] = q
      ? Array.from({ length: randInt(frng, 0, 3) }, () => {
        const f = pick(frng, catalog.films);
        const year = randInt(frng, 1980, 2025);
        return {
          title: f.title,
          href: `${origin}/m/${slugify(f.title)}_${year}`,
          cast: [pick(frng, catalog.actors).name, pick(frng, catalog.actors).name],
          startYear: String(year),
          endYear: '',
          score: randInt(frng, 10, 99),
        };
      })
      : [];

    const groups: string[] = [];
    if (tv.length) groups.push(resultGroup('tvSeries', 'TV Shows', tv.map((r) => mediaRow(r, 'tv'))));
    if (films.length) groups.push(resultGroup('movie', 'Movies', films.map((r) => mediaRow(r, 'movie'))));
    const body = groups.length
      ? `    <search-page-result-container data-qa="search-results">\n${groups.join('\n')}\n    </search-page-result-container>`
      : `    <div class="search__no-results" data-qa="search-no-results">Sorry, no results found for "${escapeHtml(raw)}"</div>`;
    res.type('text/html').send(page(`Search results for ${raw}`, `    <h1 class="search__title">Search Results for : "${escapeHtml(raw)}"</h1>\n${body}`));
  });

  router.get('/tv/:slug', (req, res) => {
    const show = bySlug.get(req.params.slug);
    if (!show && /_\d{4}_\d{3}$/.test(req.params.slug)) {
      // A decoy search row: a real-looking page, so following the wrong row "works" but is wrong.
      const h = hashString(`decoy-page:${req.params.slug}`);
      const title = req.params.slug.replace(/_\d{4}_\d{3}$/, '').replace(/_/g, ' ');
      res.type('text/html').send(page(title, `    <media-scorecard data-qa="media-scorecard">
        <rt-text slot="criticsScore">${(h % 80) + 15}%</rt-text>
        <rt-text slot="audienceScore">${((h >>> 8) % 70) + 25}%</rt-text>
      </media-scorecard>`));
      return;
    }
    if (!show || !show.rt) {
      res.status(404).type('text/html').send(page('404 - Not Found', '<h1>404 - Not Found</h1><p>We\'re sorry, but the page you are looking for is unavailable.</p>'));
      return;
    }
    // Missing scores show as empty or "--" (both occur on the real site).
    const blank = hashString(`blank:${show.id}`) % 2 === 0 ? '' : '--';
    const fmt = (n: number | null): string => (n === null ? blank : `${n}%`);
    const cast = show.cast.slice(0, 8).map((m) => `<a href="/celebrity/${slugify(actorName(m.actorId))}" data-qa="cast-crew-item-link"><p class="name">${escapeHtml(actorName(m.actorId))}</p><p class="role">${escapeHtml(m.character)}</p></a>`).join('\n      ');
    const body = `    <div id="hero">
      <rt-text slot="title" context="heading" size="1.25">${escapeHtml(show.name)}</rt-text>
      <media-scorecard data-qa="media-scorecard">
        <rt-text slot="criticsScore">${fmt(show.rt.criticsScore)}</rt-text>
        <rt-text slot="criticsReviews" size="0.75">${show.rt.criticsScore === null ? '' : `${(hashString(`reviews:${show.id}`) % 180) + 5} Reviews`}</rt-text>
        <rt-text slot="audienceScore">${fmt(show.rt.audienceScore)}</rt-text>
        <rt-text slot="audienceReviews" size="0.75">${show.rt.audienceScore === null ? '' : `${(hashString(`ratings:${show.id}`) % 9000) + 50}+ Ratings`}</rt-text>
      </media-scorecard>
    </div>
    <section class="synopsis"><rt-text data-qa="synopsis-value">${escapeHtml(show.overview)}</rt-text></section>
    <section class="cast-and-crew" data-qa="section:cast-and-crew">
      ${cast}
    </section>`;
    res.type('text/html').send(page(show.name, body));
  });

  router.use((_req, res) => {
    res.status(404).type('text/html').send(page('404 - Not Found', '<h1>404 - Not Found</h1>'));
  });

  app.use(router);
  return { name: 'rt', app, gate, basePath: '' };
}
