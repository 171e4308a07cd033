// Rotten Tomatoes site stand-in, in the real site's structure (DESIGN §2): robots.txt, /tv/<slug> show
// pages (JSON-LD TVSeries, scorecard JSON, the visible <media-scorecard> in the page's 2025 or 2026 slot
// spelling, related titles carrying other shows' scores), 404 for unknown slugs, and /search (which
// robots.txt forbids; served only so tests can prove nobody asks for it). Records every path requested.
//
// The structure is the real site's; the variation between pages is partly ours. Marked "our test
// noise" below is what we invent to exercise the matcher and parser (a premiere dated a year late,
// cast lists reordered, accent-stripped, with an extra name or empty, pages without scorecard JSON)
// and how often it happens: DESIGN §2's captured pages do not show these, so they are not RT facts.
import express, { type Request, type Response } from 'express';
import { buildCatalog, type Catalog, type CatalogShow } from './catalog.js';
import type { Standin } from './http.js';
import { gateMiddleware, ServiceGate, type Limits } from './limits.js';
import { hashString, mulberry32, pick, randInt, shuffleInPlace, type Rng } from './random.js';
import { rtFactsFor, type RtFacts, type RtMarkupEra } from './rtFacts.js';
import { escapeHtml, jsonForScript, normalizeTitle, slugify, stripDiacritics } from './text.js';
import * as W from './wordlists.js';

export interface RtStandinOptions {
  limits?: Partial<Limits>;
  catalog?: Catalog;
  /** Serve every page in one markup era; by default each show's era comes from rtFactsFor. */
  era?: RtMarkupEra;
}

export interface RtStandin extends Standin {
  /** Every distinct path requested (query strings dropped), in first-request order, throttled ones included. */
  requestedPaths(): string[];
  resetRequestedPaths(): void;
  /** Requests per path (query strings dropped), throttled ones included: what a session or a crawl asked for. */
  requestCounts(): Map<string, number>;
  resetRequestCounts(): void;
  /** Serve every page in this markup era from now on (undefined: each show's own era again). */
  setEra(era: RtMarkupEra | undefined): void;
  /**
   * false: serve pages whose scores are only in the visible `<media-scorecard>` slots: JSON-LD keeps
   * name, dateCreated and actor (what matching needs) but loses aggregateRating, and no page carries
   * `media-scorecard-json`. true (the default): the structured scores as usual.
   */
  setStructuredScores(on: boolean): void;
}

/** RT's 2026 rules for every crawler. */
const RT_ROBOTS_TXT = `# Rules for all crawlers
User-agent: *
Disallow: /search
Disallow: /m/*/pictures
Disallow: /tv/*/pictures
Disallow: /critics/self-submission/
Disallow: /user/account/*
`;

const SITE = 'https://www.rottentomatoes.com';
const MAX_TV_ROWS = 10;

/** Slot names of the visible scorecard, per markup era. */
const RT_SLOTS: Record<RtMarkupEra, { critics: string; criticsReviews: string; audience: string; audienceReviews: string }> = {
  '2025': { critics: 'criticsScore', criticsReviews: 'criticsReviews', audience: 'audienceScore', audienceReviews: 'audienceReviews' },
  '2026': { critics: 'critics-score', criticsReviews: 'critics-reviews', audience: 'audience-score', audienceReviews: 'audience-reviews' },
};

function document(title: string, head: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} | Rotten Tomatoes</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
${head}</head>
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

const notFoundPage = (): string => document('404 - Not Found', '', `    <section class="error-page">
      <h1>404 - Not Found</h1>
      <p>The page you asked for is not here. Check the address, or browse what is new on TV.</p>
    </section>`);

export function createRtStandin(opts: RtStandinOptions = {}): RtStandin {
  let forcedEra = opts.era;
  let structuredScores = true;
  const catalog = opts.catalog ?? buildCatalog();
  const gate = new ServiceGate('rt', opts.limits, 303);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const onRt = catalog.shows.flatMap((show) => {
    const facts = rtFactsFor(show);
    return facts ? [{ show, facts, key: normalizeTitle(show.name) }] : [];
  });
  const bySlug = new Map(onRt.map((x) => [x.facts.slug, x]));
  // Shows with both scores, for related-title tiles (so a page-wide slot reader picks up wrong scores).
  const scored = onRt.filter((x) => x.show.rt!.criticsScore !== null && x.show.rt!.audienceScore !== null);

  const actorName = (id: number): string => catalog.actorById.get(id)?.name ?? 'Unknown';

  /**
   * The page's leading cast. Our test noise, not RT facts: sometimes reordered, sometimes without
   * accents, sometimes with a name TMDB does not list, and on a few pages empty, so the matcher's
   * tolerance (word-sorted, diacritic-free names, half the shorter list) is exercised.
   */
  const rtCast = (show: CatalogShow, rng: Rng): string[] => {
    const k = Math.min(show.cast.length, randInt(rng, 3, 6));
    let names = show.cast.slice(0, k).map((m) => actorName(m.actorId));
    if (rng() < 0.3) names = shuffleInPlace(rng, names);
    if (rng() < 0.3) names = names.map((n) => stripDiacritics(n));
    if (names.length >= 4 && rng() < 0.2) names[names.length - 1] = `${pick(rng, W.FIRST_NAMES)} ${pick(rng, W.LAST_NAMES)}`;
    // Our test noise: a few pages list no cast at all.
    if (rng() < 0.03) return [];
    return names;
  };

  const paths = new Set<string>();
  const counts = new Map<string, number>();
  const router = express.Router();
  router.use((req, _res, next) => {
    paths.add(req.path);
    counts.set(req.path, (counts.get(req.path) ?? 0) + 1);
    next();
  });
  router.use(
    gateMiddleware(gate, (req) => req.get('user-agent') ?? '', {
      throttled: (res) => res.status(429).type('text/html').send(document('Too Many Requests', '', '    <h1>Too Many Requests</h1>')),
      fault: (res, status) =>
        res.status(status).type('text/html').send(document('Error', '', `    <h1>${status === 503 ? 'Service Unavailable' : 'Internal Server Error'}</h1>`)),
    }),
  );

  router.get('/robots.txt', (_req, res) => {
    res.type('text/plain').send(RT_ROBOTS_TXT);
  });

  router.get('/search', (req: Request, res: Response) => {
    const raw = typeof req.query.search === 'string' ? req.query.search : '';
    const q = normalizeTitle(raw);
    const tv = q ? onRt.filter((x) => ` ${x.key} `.includes(` ${q} `)).sort((a, b) => b.show.popularity - a.show.popularity).slice(0, MAX_TV_ROWS) : [];
    const tvRows = tv.map(({ show, facts }) => {
      const score = show.rt!.criticsScore;
      const end = show.numberOfSeasons > 1 && hashString(`rt-ended:${show.id}`) % 3 === 0
        ? String(Math.min(2026, Number(show.firstAirDate.slice(0, 4)) + show.numberOfSeasons - 1)) : '';
      // TV rows never list a cast on the real site.
      return `          <search-page-media-row cast="" startyear="${show.firstAirDate.slice(0, 4)}" endyear="${end}" tomatometerscore="${score ?? ''}" tomatometersentiment="${score === null ? '' : score >= 60 ? 'positive' : 'negative'}" tomatometeriscertified="${score !== null && score >= 75}">
            <a href="${SITE}/tv/${facts.slug}" slot="thumbnail"><img src="https://resizing.flixster.com/placeholder.jpg" alt="${escapeHtml(show.name)}"></a>
            <a href="${SITE}/tv/${facts.slug}" slot="title">${escapeHtml(show.name)}</a>
          </search-page-media-row>`;
    });
    const frng = mulberry32(hashString(`rt-films:${q}`));
    const filmRows = q
      ? Array.from({ length: randInt(frng, 0, 3) }, () => {
        const f = pick(frng, catalog.films);
        const year = randInt(frng, 1980, 2025);
        return `          <search-page-media-row cast="${escapeHtml(`${pick(frng, catalog.actors).name},${pick(frng, catalog.actors).name}`)}" releaseyear="${year}" tomatometerscore="${randInt(frng, 10, 99)}">
            <a href="${SITE}/m/${slugify(f.title)}_${year}" slot="title">${escapeHtml(f.title)}</a>
          </search-page-media-row>`;
      })
      : [];
    const group = (type: string, heading: string, rows: string[]) => `      <search-page-result type="${type}">
        <h2 slot="title">${heading}</h2>
        <ul slot="list">
${rows.join('\n')}
        </ul>
      </search-page-result>`;
    const groups = [...(tvRows.length ? [group('tvSeries', 'TV Shows', tvRows)] : []), ...(filmRows.length ? [group('movie', 'Movies', filmRows)] : [])];
    const body = groups.length
      ? `    <search-page-result-container>\n${groups.join('\n')}\n    </search-page-result-container>`
      : `    <p class="search__no-results">No results for "${escapeHtml(raw)}"</p>`;
    res.type('text/html').send(document(`Search results for ${raw}`, '', `    <h1>Search results for "${escapeHtml(raw)}"</h1>\n${body}`));
  });

  const showPage = (show: CatalogShow, facts: RtFacts, origin: string): string => {
    const rt = show.rt!;
    const era = forcedEra ?? facts.era;
    const slots = RT_SLOTS[era];
    const rng = mulberry32(hashString(`rt-page:${show.id}`));
    const year = Number(show.firstAirDate.slice(0, 4));
    // RT adds the year to the name where it added it to the slug.
    const name = /_\d{4}$/.test(facts.slug) ? `${show.name} (${year})` : show.name;
    const cast = rtCast(show, rng);
    // Our test noise: now and then the page dates the premiere a year later than TMDB (within the
    // matching tolerance when there is a cast to compare; a page without a cast keeps the date, or
    // nothing could match it).
    const dateCreated = cast.length > 0 && rng() < 0.04 ? `${year + 1}${show.firstAirDate.slice(4)}` : show.firstAirDate;
    const reviews = rt.criticsScore === null ? 0 : randInt(rng, 5, 180);
    const ratings = rt.audienceScore === null ? 0 : randInt(rng, 50, 9000);

    const ld: Record<string, unknown> = {
      '@context': 'http://schema.org',
      '@type': 'TVSeries',
      name,
      url: `${origin}/tv/${facts.slug}`,
      description: show.overview,
      dateCreated,
      genre: show.genres.map((g) => g.name),
      numberOfSeasons: show.numberOfSeasons,
      actor: cast.map((n) => ({ '@type': 'Person', name: n, sameAs: `${origin}/celebrity/${slugify(n)}` })),
    };
    if (rt.criticsScore !== null && structuredScores) {
      ld.aggregateRating = {
        '@type': 'AggregateRating', name: 'Tomatometer', ratingValue: String(rt.criticsScore),
        bestRating: '100', worstRating: '0', ratingCount: reviews, reviewCount: reviews,
      };
    }
    // An unscored side: an empty score, or no score key at all (both occur).
    const emptyScore = (): Record<string, unknown> => (rng() < 0.5 ? { score: '' } : {});
    const cardJson = {
      criticsScore: rt.criticsScore === null ? { ...emptyScore(), reviewCount: 0 } : { score: String(rt.criticsScore), scorePercent: `${rt.criticsScore}%`, reviewCount: reviews, sentiment: rt.criticsScore >= 60 ? 'POSITIVE' : 'NEGATIVE' },
      audienceScore: rt.audienceScore === null ? { ...emptyScore(), ratingCount: 0 } : { score: String(rt.audienceScore), scorePercent: `${rt.audienceScore}%`, ratingCount: ratings, sentiment: rt.audienceScore >= 60 ? 'POSITIVE' : 'NEGATIVE' },
    };
    // Our test noise: some pages carry no scorecard JSON, so the audience score is only in the slots
    // (the draw is made either way, so the knob changes nothing else on the page).
    const withCardJson = rng() >= 0.08 && structuredScores;
    const blank = rng() < 0.5 ? '' : '--';
    const fmt = (n: number | null): string => (n === null ? blank : `${n}%`);

    const relatedRng = mulberry32(hashString(`rt-related:${show.id}`));
    const related = scored.length > 1
      ? Array.from({ length: 4 }, () => pick(relatedRng, scored)).filter((x, i, all) => x.show.id !== show.id && all.indexOf(x) === i)
      : [];
    const tiles = related.map(({ show: other, facts: of }) => `        <div class="related-tile">
          <a href="/tv/${of.slug}">${escapeHtml(other.name)}</a>
          <rt-text slot="${slots.critics}">${other.rt!.criticsScore}%</rt-text>
          <rt-text slot="${slots.audience}">${other.rt!.audienceScore}%</rt-text>
        </div>`);
    const seasons = show.numberOfSeasons > 1
      ? show.seasons.slice(0, 6).map((s, i) => {
        const sc = rt.criticsScore === null || rng() < 0.3 ? null : Math.max(0, Math.min(100, rt.criticsScore + randInt(rng, -15, 15)));
        return `        <div class="season-tile"><a href="/tv/${facts.slug}/s${String(i + 1).padStart(2, '0')}">${escapeHtml(s.label)}</a><rt-text slot="${slots.critics}">${fmt(sc)}</rt-text></div>`;
      })
      : [];

    const head = `  <script type="application/ld+json">${jsonForScript(ld)}</script>\n`;
    const body = `    <div id="hero" class="media-hero">
      <rt-text slot="title" context="heading">${escapeHtml(name)}</rt-text>
${withCardJson ? `      <script id="media-scorecard-json" type="application/json">${jsonForScript(cardJson)}</script>\n` : ''}      <media-scorecard>
        <rt-text slot="${slots.critics}">${fmt(rt.criticsScore)}</rt-text>
        <rt-text slot="${slots.criticsReviews}">${rt.criticsScore === null ? '' : `${reviews} Reviews`}</rt-text>
        <rt-text slot="${slots.audience}">${fmt(rt.audienceScore)}</rt-text>
        <rt-text slot="${slots.audienceReviews}">${rt.audienceScore === null ? '' : `${ratings}+ Ratings`}</rt-text>
      </media-scorecard>
    </div>
    <section class="synopsis"><rt-text class="synopsis-value">${escapeHtml(show.overview)}</rt-text></section>
    <section class="cast-and-crew">
${cast.map((n) => `      <a href="/celebrity/${slugify(n)}"><p class="name">${escapeHtml(n)}</p></a>`).join('\n')}
    </section>
${seasons.length ? `    <section class="seasons">\n${seasons.join('\n')}\n    </section>\n` : ''}    <section class="related-titles">
      <h2>More Like This</h2>
${tiles.join('\n')}
    </section>`;
    return document(name, head, body);
  };

  router.get('/tv/:slug', (req, res) => {
    const hit = bySlug.get(req.params.slug);
    if (!hit) {
      res.status(404).type('text/html').send(notFoundPage());
      return;
    }
    res.type('text/html').send(showPage(hit.show, hit.facts, `${req.protocol}://${req.get('host') ?? 'localhost'}`));
  });

  router.use((_req, res) => {
    res.status(404).type('text/html').send(notFoundPage());
  });

  app.use(router);
  return {
    name: 'rt',
    app,
    gate,
    basePath: '',
    requestedPaths: () => [...paths],
    resetRequestedPaths: () => paths.clear(),
    requestCounts: () => new Map(counts),
    resetRequestCounts: () => counts.clear(),
    setEra: (era) => {
      forcedEra = era;
    },
    setStructuredScores: (on) => {
      structuredScores = on;
    },
  };
}
