// TMDB v3 stand-in (subset): /3/search/tv, /3/tv/:id (+aggregate_credits, external_ids),
// /3/tv/:id/recommendations and /similar (paged like /search/tv; standins/tmdbDiscovery.ts), /3/find/:id.
// It counts the requests it served per path (searches per query), so tests can tell exactly what a
// session or a crawl asked for.
// Like real TMDB it sends `null` for images it does not have (some posters, more actor photos), and
// serves the catalog's decoys: same-named shows from another year, or another country (region
// twins of "… (U.S.)"/"… (U.K.)" titles, more popular, so only origin_country tells them apart).
import express, { type Request, type Response } from 'express';
import { buildCatalog, imdbIdFor, tvdbIdFor, type Catalog, type CatalogShow } from './catalog.js';
import type { Standin } from './http.js';
import { createDiscovery, type DiscoveryKind } from './tmdbDiscovery.js';
import { gateMiddleware, ServiceGate, type Limits } from './limits.js';
import { hashString } from './random.js';
import { normalizeTitle } from './text.js';

export interface TmdbStandinOptions {
  apiKey: string;
  limits?: Partial<Limits>;
  catalog?: Catalog;
}

const PAGE_SIZE = 20;

function credential(req: Request): string | undefined {
  const auth = req.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const q = req.query.api_key;
  return typeof q === 'string' ? q : undefined;
}

const LANGUAGE_BY_COUNTRY: Record<string, string> = { ES: 'es', MX: 'es', FR: 'fr', DE: 'de', SE: 'sv', JP: 'ja', KR: 'ko', IN: 'hi' };
const languageOf = (show: CatalogShow): string => LANGUAGE_BY_COUNTRY[show.originCountry[0]] ?? 'en';

// Missing images, decided by hashes of the ids (not the catalog's RNG): about 4% of posters, 12% of photos.
const posterOf = (show: CatalogShow): string | null => (hashString(`no-poster:${show.id}`) % 100 < 4 ? null : show.posterPath);
const profileOf = (actor: { id: number; profilePath: string }): string | null =>
  hashString(`no-photo:${actor.id}`) % 100 < 12 ? null : actor.profilePath;

function searchResult(show: CatalogShow) {
  return {
    adult: false,
    backdrop_path: null,
    genre_ids: show.genres.map((g) => g.id),
    id: show.id,
    origin_country: show.originCountry,
    original_language: languageOf(show),
    original_name: show.originalName,
    overview: show.overview,
    popularity: show.popularity,
    poster_path: posterOf(show),
    first_air_date: show.firstAirDate,
    name: show.name,
    vote_average: Math.round((5 + (hashString(`vote:${show.id}`) % 450) / 100) * 10) / 10,
    vote_count: hashString(`votes:${show.id}`) % 5000,
  };
}

/** 24-hex credit ids as TMDB prints them, derived so they are stable. */
function creditId(showId: number, actorId: number): string {
  const a = hashString(`credit:${showId}:${actorId}`).toString(16).padStart(8, '0');
  const b = hashString(`credit2:${showId}:${actorId}`).toString(16).padStart(8, '0');
  return `5${showId.toString(16).padStart(7, '0')}${a}${b}`.slice(0, 24);
}

export interface TmdbStandin extends Standin {
  /** Requests served (past the rate limit and fault dice) per path; /search/tv per query: `/search/tv?query=…`. */
  requestCounts(): Map<string, number>;
  resetRequestCounts(): void;
}

export function createTmdbStandin(opts: TmdbStandinOptions): TmdbStandin {
  const catalog = opts.catalog ?? buildCatalog();
  const gate = new ServiceGate('tmdb', opts.limits, 202);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Precomputed matching keys: searches are linear scans over a few thousand shows.
  const searchable = catalog.shows
    .filter((s) => s.onTmdb)
    .map((s) => ({ show: s, key: normalizeTitle(s.name), orig: normalizeTitle(s.originalName) }));
  const byImdb = new Map<string, CatalogShow>();
  const byTvdb = new Map<string, CatalogShow>();
  for (const s of catalog.shows) {
    if (!s.onTmdb) continue;
    byImdb.set(imdbIdFor(s), s);
    byTvdb.set(tvdbIdFor(s), s);
  }

  const tmdbError = (res: Response, http: number, code: number, message: string): void => {
    res.status(http).json({ status_code: code, status_message: message, success: false });
  };

  const router = express.Router();
  router.use((req, res, next) => {
    if (credential(req) !== opts.apiKey) {
      tmdbError(res, 401, 7, 'Invalid API key: You must be granted a valid key.');
      return;
    }
    next();
  });
  router.use(
    gateMiddleware(gate, (req) => credential(req) ?? '', {
      throttled: (res) => tmdbError(res, 429, 25, 'Your request count (#) is over the allowed limit of (40).'),
      fault: (res, status) =>
        status === 503
          ? tmdbError(res, 503, 9, 'Service offline: This service is temporarily offline, try again later.')
          : tmdbError(res, 500, 11, 'Internal error: Something went wrong, contact TMDB.'),
    }),
  );

  const served = new Map<string, number>();
  router.use((req, _res, next) => {
    const key = req.path === '/search/tv' ? `/search/tv?query=${String(req.query.query ?? '')}` : req.path;
    served.set(key, (served.get(key) ?? 0) + 1);
    next();
  });

  router.get('/search/tv', (req, res) => {
    const query = typeof req.query.query === 'string' ? req.query.query : '';
    const page = Math.max(1, Number.parseInt(String(req.query.page ?? '1'), 10) || 1);
    if (page > 500) {
      tmdbError(res, 422, 22, 'Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.');
      return;
    }
    const yearParam = req.query.first_air_date_year ?? req.query.year;
    const year = typeof yearParam === 'string' && /^\d{4}$/.test(yearParam) ? yearParam : undefined;
    const q = normalizeTitle(query);
    if (!q) {
      res.json({ page, results: [], total_pages: 1, total_results: 0 });
      return;
    }
    const qWords = q.split(' ');
    // Relevance: exact name, then prefix, then substring, then all words present; popularity breaks ties.
    const scored: { show: CatalogShow; score: number }[] = [];
    for (const { show, key, orig } of searchable) {
      if (year && !show.firstAirDate.startsWith(year)) continue;
      let score = 0;
      if (key === q || orig === q) score = 4;
      else if (key.startsWith(q + ' ') || orig.startsWith(q + ' ')) score = 3;
      else if (` ${key} `.includes(` ${q} `) || ` ${orig} `.includes(` ${q} `)) score = 2;
      else if (qWords.every((w) => ` ${key} `.includes(` ${w} `))) score = 1;
      if (score > 0) scored.push({ show, score });
    }
    scored.sort((a, b) => b.score - a.score || b.show.popularity - a.show.popularity || a.show.id - b.show.id);
    const total = scored.length;
    const results = scored.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((x) => searchResult(x.show));
    res.json({ page, results, total_pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), total_results: total });
  });

  const findShow = (req: Request, res: Response): CatalogShow | undefined => {
    const id = Number(req.params.id);
    const show = Number.isInteger(id) ? catalog.showById.get(id) : undefined;
    if (!show || !show.onTmdb) {
      tmdbError(res, 404, 34, 'The resource you requested could not be found.');
      return undefined;
    }
    return show;
  };

  const aggregateCredits = (show: CatalogShow) => ({
    cast: show.cast.map((m, order) => {
      const actor = catalog.actorById.get(m.actorId)!;
      return {
        adult: false,
        gender: hashString(`g:${actor.id}`) % 2 === 0 ? 1 : 2,
        id: actor.id,
        known_for_department: 'Acting',
        name: actor.name,
        original_name: actor.name,
        popularity: actor.popularity,
        profile_path: profileOf(actor),
        roles: [{ credit_id: creditId(show.id, actor.id), character: m.character, episode_count: m.episodeCount }],
        total_episode_count: m.episodeCount,
        order,
      };
    }),
    crew: [],
    id: show.id,
  });

  const externalIds = (show: CatalogShow) => ({
    id: show.id,
    imdb_id: imdbIdFor(show),
    tvdb_id: Number(tvdbIdFor(show)),
    freebase_mid: null,
    freebase_id: null,
    tvrage_id: null,
    wikidata_id: null,
    facebook_id: null,
    instagram_id: null,
    twitter_id: null,
  });

  router.get('/tv/:id', (req, res) => {
    const show = findShow(req, res);
    if (!show) return;
    const append = String(req.query.append_to_response ?? '').split(',').map((s) => s.trim());
    const seasonBase = show.seasons.length;
    const body: Record<string, unknown> = {
      adult: false,
      backdrop_path: null,
      episode_run_time: [],
      first_air_date: show.firstAirDate,
      genres: show.genres,
      homepage: '',
      id: show.id,
      in_production: false,
      languages: [languageOf(show)],
      name: show.name,
      number_of_episodes: show.numberOfEpisodes,
      number_of_seasons: show.numberOfSeasons,
      origin_country: show.originCountry,
      original_language: languageOf(show),
      original_name: show.originalName,
      overview: show.overview,
      popularity: show.popularity,
      poster_path: posterOf(show),
      seasons: show.seasons.map((s, i) => ({
        episode_count: s.episodes.length,
        id: show.id * 100 + i,
        name: seasonBase === 1 && !s.label.startsWith('Season') ? 'Miniseries' : `Season ${i + 1}`,
        season_number: i + 1,
      })),
      status: 'Returning Series',
      type: 'Scripted',
    };
    if (append.includes('aggregate_credits')) body.aggregate_credits = aggregateCredits(show);
    if (append.includes('external_ids')) body.external_ids = externalIds(show);
    res.json(body);
  });

  router.get('/tv/:id/aggregate_credits', (req, res) => {
    const show = findShow(req, res);
    if (show) res.json(aggregateCredits(show));
  });

  router.get('/tv/:id/external_ids', (req, res) => {
    const show = findShow(req, res);
    if (show) res.json(externalIds(show));
  });

  const discovery = createDiscovery(catalog);
  const discoveryPage = (kind: DiscoveryKind) => (req: Request, res: Response) => {
    const show = findShow(req, res);
    if (!show) return;
    const page = Math.max(1, Number.parseInt(String(req.query.page ?? '1'), 10) || 1);
    if (page > 500) {
      tmdbError(res, 422, 22, 'Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.');
      return;
    }
    const list = discovery(kind, show);
    // Recommendations carry media_type (today's TMDB answers them from its mixed-media index); similar does not.
    const results = list.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((s) => (kind === 'recommendations' ? { ...searchResult(s), media_type: 'tv' } : searchResult(s)));
    res.json({ page, results, total_pages: Math.max(1, Math.ceil(list.length / PAGE_SIZE)), total_results: list.length });
  };
  router.get('/tv/:id/recommendations', discoveryPage('recommendations'));
  router.get('/tv/:id/similar', discoveryPage('similar'));

  router.get('/find/:externalId', (req, res) => {
    const source = String(req.query.external_source ?? '');
    const id = req.params.externalId;
    const show = source === 'imdb_id' ? byImdb.get(id) : source === 'tvdb_id' ? byTvdb.get(id) : undefined;
    if (source !== 'imdb_id' && source !== 'tvdb_id') {
      tmdbError(res, 422, 22, 'external_source must be one of imdb_id, tvdb_id.');
      return;
    }
    // TMDB's real shape: a list per media type, each result tagged with its media_type; an id it
    // does not know is a 200 with every list empty, not a 404.
    res.json({ movie_results: [], person_results: [], tv_results: show ? [{ ...searchResult(show), media_type: 'tv' }] : [], tv_episode_results: [], tv_season_results: [] });
  });

  router.use((_req, res) => tmdbError(res, 404, 34, 'The resource you requested could not be found.'));

  app.use('/3', router);
  app.use((_req, res) => tmdbError(res, 404, 34, 'The resource you requested could not be found.'));
  return { name: 'tmdb', app, gate, basePath: '/3', requestCounts: () => new Map(served), resetRequestCounts: () => served.clear() };
}
