// What the TMDB stand-in answers for /tv/{id}/recommendations and /tv/{id}/similar, derived from
// the catalog alone (no RNG state), so every run and every process gives the same lists.
//   recommendations: shows that share cast or genres with it (what viewers of it also watched);
//   similar: shows of its primary genre, nearest first-air year first.
// Decoys and region twins are ordinary TMDB shows here, as they would be on TMDB.
import type { Catalog, CatalogShow } from './catalog.js';
import { hashString } from './random.js';

/** How many results each list holds at most (TMDB's lists run to a few pages). */
const MAX_RECOMMENDATIONS = 40;
const MAX_SIMILAR = 60;

export type DiscoveryKind = 'recommendations' | 'similar';

/** A stable tie-breaker per (show, candidate, list): looks arbitrary, never changes. */
const jitter = (kind: DiscoveryKind, a: number, b: number) => hashString(`${kind}:${a}:${b}`) / 2 ** 32;

const year = (show: CatalogShow) => Number(show.firstAirDate.slice(0, 4));

function recommendations(show: CatalogShow, pool: readonly CatalogShow[]): CatalogShow[] {
  const cast = new Set(show.cast.map((c) => c.actorId));
  const genres = new Set(show.genres.map((g) => g.id));
  return pool
    .map((other) => {
      const sharedCast = other.cast.filter((c) => cast.has(c.actorId)).length;
      const sharedGenres = other.genres.filter((g) => genres.has(g.id)).length;
      return { other, score: 3 * sharedCast + sharedGenres + jitter('recommendations', show.id, other.id) };
    })
    .filter((x) => x.score >= 2)
    .sort((a, b) => b.score - a.score || a.other.id - b.other.id)
    .slice(0, MAX_RECOMMENDATIONS)
    .map((x) => x.other);
}

function similar(show: CatalogShow, pool: readonly CatalogShow[]): CatalogShow[] {
  const primary = show.genres[0]?.id;
  return pool
    .filter((other) => other.genres[0]?.id === primary)
    .map((other) => ({ other, distance: Math.abs(year(other) - year(show)) + jitter('similar', show.id, other.id) }))
    .sort((a, b) => a.distance - b.distance || a.other.id - b.other.id)
    .slice(0, MAX_SIMILAR)
    .map((x) => x.other);
}

/** The full ordered list for a show (memoised per catalog: pages slice it). */
export function createDiscovery(catalog: Catalog): (kind: DiscoveryKind, show: CatalogShow) => CatalogShow[] {
  const onTmdb = catalog.shows.filter((s) => s.onTmdb);
  const memo = new Map<string, CatalogShow[]>();
  return (kind, show) => {
    const key = `${kind}:${show.id}`;
    let list = memo.get(key);
    if (!list) {
      const pool = onTmdb.filter((s) => s.id !== show.id);
      list = kind === 'recommendations' ? recommendations(show, pool) : similar(show, pool);
      memo.set(key, list);
    }
    return list;
  };
}
