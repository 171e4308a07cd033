// Choosing a TMDB /search/tv result for a Netflix show name (DESIGN §2).
//
// 1. Only exact candidates count: showKey(name) or showKey(original_name)
//    equals showKey(query). No exact candidate → null ("not found", a
//    finished outcome). There is deliberately no fuzzy fallback: a wrong
//    match pollutes genres, cast and scores, while "not found" only loses one show.
// 2. Among exact candidates (their names tie), by whether the viewer could have watched it
//    (year granularity) and by the title's region tag:
//    a. aired no later than the first watch;
//    b. aired after the first watch but no later than the last watch;
//    c. no first-air date;
//    d. aired after the last watch (can't have been what the viewer watched).
//    How long before the watch a show aired says nothing (catch-up viewing is normal), so
//    within a tier the distance does not count. Without watched years every candidate is tier a.
//    The region ("Big Brother (U.S.)" → US) ranks after "could it have been watched at all"
//    (tier d stays last) and before the a/b/c distinction: candidates from the tagged country
//    (TMDB `origin_country` includes it) beat the others in tiers a–c. The tag is Netflix saying
//    which of the same-named shows this is, while a/b/c only says when it aired relative to the
//    watching (a US remake that aired mid-span is still the US remake, not the older British
//    original). It never beats impossibility: a show that first aired after the last watch is
//    not what was watched, whatever its country. No region (untagged title) = this step is a no-op.
// 3. Then popularity, descending; then id, ascending (a stable final tie-break).
import { regionOf, showKey } from './names.js';

export interface TmdbSearchResult {
  id: number;
  name: string;
  original_name: string;
  first_air_date: string | null;
  popularity: number;
  genre_ids: number[];
  poster_path: string | null;
  overview: string | null;
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

const IMPOSSIBLE = 3;

/**
 * @param name the Netflix show name (a trailing region tag is ignored for the name match)
 * @param region ISO 3166-1 alpha-2 country the title's region tag named (e.g. "US", "GB");
 *   by default read from `name`'s own tag; null = no region hint
 */
export function pickTmdbMatch<T extends TmdbSearchResult>(
  name: string,
  watchedYears: WatchedYears | null,
  results: readonly T[],
  region: string | null = regionOf(name),
): T | null {
  const key = showKey(name);
  if (key.length === 0) return null;
  const exact = results.filter((r) => showKey(r.name ?? '') === key || showKey(r.original_name ?? '') === key);
  if (exact.length === 0) return null;

  const country = region?.toUpperCase() ?? null;
  const ranked = exact.map((r) => {
    const tier = plausibilityTier(firstAirYear(r.first_air_date), watchedYears);
    const fromRegion = country !== null && (r.origin_country ?? []).some((c) => c.toUpperCase() === country);
    return { r, possible: tier === IMPOSSIBLE ? 1 : 0, regionRank: fromRegion ? 0 : 1, tier };
  });
  ranked.sort(
    (a, b) =>
      a.possible - b.possible ||
      a.regionRank - b.regionRank ||
      a.tier - b.tier ||
      (b.r.popularity ?? 0) - (a.r.popularity ?? 0) ||
      a.r.id - b.r.id,
  );
  return ranked[0].r;
}
