// TMDB v3: search, details with aggregate credits, and a show's recommendations and similar shows
// (the catalog crawler's discovery). 401 is permanent (bad key); 429/5xx transient.
// Every answer is validated at run time (DESIGN §2): one that does not fit the shape we rely on is a
// transient TmdbBadResponse naming the zod issue's path and carrying a short sample of the body, so
// the chunk's retries try again and the last attempt dead-letters the show with that reason —
// never a crash, never a row stored from a misread answer.
//
// The schemas follow what real TMDB sends: extra fields are allowed (and dropped); `null` is
// accepted where TMDB really sends it (poster_path, profile_path, first_air_date, overview,
// character), and also on the episode/season counts, which the app already treats as unknown.
// Nothing is coerced: "10" is not a number of episodes, a genre list must be a list.
import { z } from 'zod';
import { responseSample } from '../domain/text.js';
import type { TmdbSearchResult } from '../domain/tmdbMatch.js';
import { httpGet } from './http.js';
import { PermanentServiceError, TransientServiceError, isThrottleStatus, isTransientStatus, parseRetryAfter } from './errors.js';
import { TmdbErrors } from '../contracts/index.js';

export type { TmdbSearchResult };

const id = z.number().int().positive();
const count = z.number().int().nonnegative();
const popularity = z.number().nonnegative();
/** "2005-03-24"; TMDB sends "" or null when it has no date. */
const tmdbDate = z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date')]).nullable();
/** An image path such as "/abc.jpg", or null when there is no image. */
const imagePath = z.string().nullable();

const tmdbSearchResultSchema = z.object({
  id,
  name: z.string(),
  original_name: z.string(),
  // Missing and null both mean "no date" (TMDB omits it on some results).
  first_air_date: tmdbDate.optional().transform((d) => d ?? null),
  popularity,
  genre_ids: z.array(z.number().int()),
  poster_path: imagePath,
  overview: z.string().nullable(),
  // Missing = TMDB names no country; the region rule then simply does not apply.
  origin_country: z.array(z.string()).optional().transform((c) => c ?? []),
}) satisfies z.ZodType<TmdbSearchResult, unknown>;

export const tmdbSearchResponseSchema = z.object({
  page: count,
  results: z.array(tmdbSearchResultSchema),
  total_pages: count,
  total_results: count,
});

const tmdbCastMemberSchema = z.object({
  id,
  name: z.string(),
  popularity,
  profile_path: imagePath,
  total_episode_count: count,
  roles: z.array(z.object({ character: z.string().nullable(), episode_count: count })),
});

export const tmdbShowDetailsSchema = z.object({
  id,
  name: z.string(),
  // Not in every answer we have seen; the crawl builds RT slug guesses from it when present.
  original_name: z.string().optional(),
  genres: z.array(z.object({ id: z.number().int(), name: z.string() })),
  number_of_episodes: count.nullable(),
  number_of_seasons: count.nullable(),
  overview: z.string().nullable(),
  poster_path: imagePath,
  first_air_date: tmdbDate,
  popularity: popularity.optional(),
  origin_country: z.array(z.string()).optional(),
  // Always asked for (append_to_response); an answer without it would store a show with no cast.
  aggregate_credits: z.object({ cast: z.array(tmdbCastMemberSchema) }),
  // Also asked for: the show's IMDb id lets Wikidata find its RT id by P345 when P4983 is missing.
  // TMDB sends null or "" where it has none; a missing block only costs that lookup.
  external_ids: z.object({ imdb_id: z.string().nullable().optional() }).optional(),
});

export type TmdbShowDetails = z.infer<typeof tmdbShowDetailsSchema>;

/**
 * /find/{external_id}: every kind of result in its own list. A series id lands in tv_results; an
 * episode's id in tv_episode_results, which names its series (show_id). The other lists are not read.
 */
export const tmdbFindSchema = z.object({
  tv_results: z.array(tmdbSearchResultSchema),
  tv_episode_results: z.array(z.object({ show_id: id })).optional(),
});

/** The external ids /find takes that Gandalf can send for a show. */
export type TmdbExternalSource = 'imdb_id' | 'tvdb_id';

/** /tv/{id}/recommendations and /tv/{id}/similar answer pages shaped like /search/tv's. */
export const tmdbTvListSchema = tmdbSearchResponseSchema;
export type TmdbTvList = z.infer<typeof tmdbTvListSchema>;

export interface TmdbClient {
  searchTv(query: string, signal?: AbortSignal): Promise<TmdbSearchResult[]>;
  tvDetails(id: number, signal?: AbortSignal): Promise<TmdbShowDetails | null>;
  /** The TMDB TV id an IMDb or TVDB id names (its series, for an episode's id), or null when TMDB has none. */
  findTvId(externalId: string, source: TmdbExternalSource, signal?: AbortSignal): Promise<number | null>;
  /** One page of the shows TMDB recommends beside a show; null when TMDB does not know the show. */
  tvRecommendations(id: number, page?: number, signal?: AbortSignal): Promise<TmdbTvList | null>;
  /** One page of the shows TMDB finds similar (genres and keywords); null when it does not know the show. */
  tvSimilar(id: number, page?: number, signal?: AbortSignal): Promise<TmdbTvList | null>;
}

/**
 * A sample (responseSample) of the body around the offending field when its name can be found (so
 * "number_of_episodes":"ten" shows up even deep in a long answer), else of its beginning; at most
 * `maxChars`, with "…" where the body goes on before or after the window.
 */
export function responseSampleAt(body: string, path: readonly PropertyKey[] = [], maxChars = 200): string {
  const flat = body.replace(/\s+/g, ' ');
  const lastKey = [...path].reverse().find((p): p is string => typeof p === 'string');
  const at = lastKey ? flat.indexOf(JSON.stringify(lastKey) + ':') : -1;
  if (at <= 40) return responseSample(flat, maxChars);
  return `…${responseSample(flat.slice(at - 40), maxChars - 1)}`;
}

function badResponse(path: string, body: string, error: z.ZodError): TransientServiceError {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return new TransientServiceError(
    TmdbErrors.badResponse,
    `TMDB answered ${path} with an unexpected shape at ${where}: ${issue.message}; sample: ${responseSampleAt(body, issue.path)}`,
  );
}

/** Parses and validates a TMDB body; a misfit is a transient TmdbBadResponse (see the header). */
export function parseTmdbBody<S extends z.ZodType>(schema: S, path: string, body: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TransientServiceError(TmdbErrors.badResponse, `TMDB answered ${path} with a body that is not JSON; sample: ${responseSample(body)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badResponse(path, body, parsed.error);
  return parsed.data;
}

export function createTmdbClient(opts: { url: string; apiKey: string; timeoutMs: number }): TmdbClient {
  const base = opts.url.replace(/\/$/, '');
  async function getJson<S extends z.ZodType>(schema: S, path: string, searchParams: Record<string, string>, signal?: AbortSignal): Promise<z.infer<S> | null> {
    const url = new URL(`${base}${path}`);
    url.search = new URLSearchParams({ ...searchParams, api_key: opts.apiKey }).toString();
    // A plain GET (src/clients/http.ts): about 700 of them per 10k session, where got's own work per
    // request outweighed the rest of the lookup.
    const response = await httpGet(url.href, { timeoutMs: opts.timeoutMs, signal }).catch((error: Error) => {
      throw new TransientServiceError(TmdbErrors.unavailable, `TMDB did not answer: ${error.message}`);
    });
    const status = response.status;
    if (status === 401) throw new PermanentServiceError(TmdbErrors.unauthorized, 'TMDB rejected the API key (HTTP 401); check TMDB_API_KEY');
    if (status === 404) return null;
    if (isTransientStatus(status)) {
      throw new TransientServiceError(TmdbErrors.unavailable, `TMDB answered HTTP ${status}`, parseRetryAfter(response.headers['retry-after']), isThrottleStatus(status));
    }
    if (status >= 400) throw new PermanentServiceError(TmdbErrors.badRequest, `TMDB answered HTTP ${status} for ${path}`);
    return parseTmdbBody(schema, path, response.body.toString());
  }
  return {
    async searchTv(query, signal) {
      const body = await getJson(tmdbSearchResponseSchema, '/search/tv', { query, include_adult: 'false', language: 'en-US', page: '1' }, signal);
      return body?.results ?? [];
    },
    tvDetails(id, signal) {
      return getJson(tmdbShowDetailsSchema, `/tv/${id}`, { language: 'en-US', append_to_response: 'aggregate_credits,external_ids' }, signal);
    },
    async findTvId(externalId, source, signal) {
      const body = await getJson(tmdbFindSchema, `/find/${encodeURIComponent(externalId)}`, { external_source: source, language: 'en-US' }, signal);
      return body?.tv_results[0]?.id ?? body?.tv_episode_results?.[0]?.show_id ?? null;
    },
    tvRecommendations(id, page = 1, signal) {
      return getJson(tmdbTvListSchema, `/tv/${id}/recommendations`, { language: 'en-US', page: String(page) }, signal);
    },
    tvSimilar(id, page = 1, signal) {
      return getJson(tmdbTvListSchema, `/tv/${id}/similar`, { language: 'en-US', page: String(page) }, signal);
    },
  };
}
