// Choosing a TMDB /search/tv result for a Netflix show name (DESIGN §2).
//
// 1. Only exact candidates count: showKey(name) or showKey(original_name)
//    equals showKey(query). No exact candidate → null ("not found", a
//    finished outcome). There is deliberately no fuzzy fallback: a wrong
//    match pollutes genres, cast and scores, while "not found" only loses one show.
// 2. Among exact candidates, by first-air year against the watched years:
//    a. aired no later than the first watch, closest year first;
//    b. aired after the first watch but no later than the last watch, closest first;
//    c. no first-air date;
//    d. aired after the last watch (can't have been what the viewer watched), closest first.
//    Without watched years every candidate is in tier a with distance 0.
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

function yearRank(year: number | null, watched: WatchedYears | null): [tier: number, distance: number] {
  if (!watched) return [0, 0];
  if (year === null) return [2, 0];
  if (year <= watched.first) return [0, watched.first - year];
  if (year <= watched.last) return [1, year - watched.first];
  return [3, year - watched.last];
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

  const ranked = exact.map((r) => ({ r, rank: yearRank(firstAirYear(r.first_air_date), watchedYears) }));
  ranked.sort(
    (a, b) =>
      a.rank[0] - b.rank[0] ||
      a.rank[1] - b.rank[1] ||
      (b.r.popularity ?? 0) - (a.r.popularity ?? 0) ||
      a.r.id - b.r.id,
  );
  return ranked[0].r;
}
