// Choosing a TMDB /search/tv result for a Netflix show name (DESIGN §2).
//
// 1. Only exact candidates count: showKey(name) or showKey(original_name)
//    equals showKey(query). No exact candidate → null ("not found", a
//    finished outcome). There is deliberately no fuzzy fallback: a wrong
//    match pollutes genres, cast and scores, while "not found" only loses one show.
// 2. Among exact candidates, by whether the viewer could have watched it (year granularity):
//    a. aired no later than the first watch;
//    b. aired after the first watch but no later than the last watch;
//    c. no first-air date;
//    d. aired after the last watch (can't have been what the viewer watched).
//    How long before the watch a show aired says nothing (catch-up viewing is normal), so
//    within a tier the distance does not count. Without watched years every candidate is tier a.
// 3. Then popularity, descending; then id, ascending (a stable final tie-break).
import { showKey } from './names.js';

export interface TmdbSearchResult {
  id: number;
  name: string;
  original_name: string;
  first_air_date: string | null;
  popularity: number;
  genre_ids: number[];
  poster_path: string | null;
  overview: string;
  origin_country: string[];
}

export interface WatchedYears {
  first: number;
  last: number;
}

/** The year of a TMDB date ("2005-03-24"), or null when missing/blank/malformed. */
export function firstAirYear(date: string | null | undefined): number | null {
  const m = /^(\d{4})/.exec(date ?? '');
  return m ? Number(m[1]) : null;
}

function plausibilityTier(year: number | null, watched: WatchedYears | null): number {
  if (!watched) return 0;
  if (year === null) return 2;
  if (year <= watched.first) return 0;
  if (year <= watched.last) return 1;
  return 3;
}

export function pickTmdbMatch<T extends TmdbSearchResult>(
  name: string,
  watchedYears: WatchedYears | null,
  results: readonly T[],
): T | null {
  const key = showKey(name);
  if (key.length === 0) return null;
  const exact = results.filter((r) => showKey(r.name ?? '') === key || showKey(r.original_name ?? '') === key);
  if (exact.length === 0) return null;

  const ranked = exact.map((r) => ({ r, tier: plausibilityTier(firstAirYear(r.first_air_date), watchedYears) }));
  ranked.sort(
    (a, b) =>
      a.tier - b.tier ||
      (b.r.popularity ?? 0) - (a.r.popularity ?? 0) ||
      a.r.id - b.r.id,
  );
  return ranked[0].r;
}
