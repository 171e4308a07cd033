// TMDB v3: search and details with aggregate credits. 401 is permanent (bad key); 429/5xx transient.
import got from 'got';
import type { TmdbSearchResult } from '../domain/tmdbMatch.js';
import { PermanentServiceError, TransientServiceError, isTransientStatus, parseRetryAfter } from './errors.js';

export type { TmdbSearchResult };

export interface TmdbCastMember {
  id: number;
  name: string;
  popularity: number;
  profile_path: string | null;
  total_episode_count: number;
  roles: { character: string; episode_count: number }[];
}

export interface TmdbShowDetails {
  id: number;
  name: string;
  genres: { id: number; name: string }[];
  number_of_episodes: number;
  number_of_seasons: number;
  overview: string;
  poster_path: string | null;
  first_air_date: string;
  popularity?: number;
  aggregate_credits?: { cast: TmdbCastMember[] };
}

export interface TmdbClient {
  searchTv(query: string, signal?: AbortSignal): Promise<TmdbSearchResult[]>;
  tvDetails(id: number, signal?: AbortSignal): Promise<TmdbShowDetails | null>;
}

export function createTmdbClient(opts: { url: string; apiKey: string; timeoutMs: number }): TmdbClient {
  async function getJson<T>(path: string, searchParams: Record<string, string>, signal?: AbortSignal): Promise<T | null> {
    const response = await got(`${opts.url.replace(/\/$/, '')}${path}`, {
      searchParams: { ...searchParams, api_key: opts.apiKey },
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: opts.timeoutMs },
      signal,
    }).catch((error: Error) => {
      throw new TransientServiceError('TmdbUnavailable', `TMDB did not answer: ${error.message}`);
    });
    const status = response.statusCode;
    if (status === 401) throw new PermanentServiceError('TmdbUnauthorized', 'TMDB rejected the API key (HTTP 401); check TMDB_API_KEY');
    if (status === 404) return null;
    if (isTransientStatus(status)) {
      throw new TransientServiceError('TmdbUnavailable', `TMDB answered HTTP ${status}`, parseRetryAfter(response.headers['retry-after']));
    }
    if (status >= 400) throw new PermanentServiceError('TmdbBadRequest', `TMDB answered HTTP ${status} for ${path}`);
    try {
      return JSON.parse(response.body) as T;
    } catch {
      throw new TransientServiceError('TmdbBadResponse', `TMDB answered ${path} with a body that is not JSON`);
    }
  }
  return {
    async searchTv(query, signal) {
      const body = await getJson<{ results?: TmdbSearchResult[] }>(
        '/search/tv',
        { query, include_adult: 'false', language: 'en-US', page: '1' },
        signal,
      );
      if (body && !Array.isArray(body.results)) throw new TransientServiceError('TmdbBadResponse', 'TMDB search answered without results');
      return body?.results ?? [];
    },
    tvDetails(id, signal) {
      return getJson<TmdbShowDetails>(`/tv/${id}`, { language: 'en-US', append_to_response: 'aggregate_credits' }, signal);
    },
  };
}
