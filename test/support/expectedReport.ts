// The report's facts computed independently of showprint: straight from the stand-in's catalog and
// the generated history (which knows each activity's true show), with none of the app's parsing,
// matching, SQL or database. If the pipeline mis-parses, mis-matches or mis-counts, the two differ.
import { subjectsFor } from '../../standins/catalog.js';
import { type Catalog, type CatalogShow, historyFor, rtFactsFor } from '../../standins/index.js';
import { hashString } from '../../standins/random.js';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A real calendar date from Gandalf's month-first M/D/YYYY, or null. */
function calendarDate(raw: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  if (!m) return null;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return d.toISOString().slice(0, 10);
}

interface Side {
  mean: number;
  shows: number;
}

/** A side's plain mean over the scores it has (a 0 is none), or null. */
function side(scores: (number | null)[]): Side | null {
  const had = scores.filter((n): n is number => n !== null && n > 0);
  return had.length > 0 ? { mean: round2(had.reduce((a, b) => a + b, 0) / had.length), shows: had.length } : null;
}

export interface ExpectedReport {
  totalShows: number;
  totalEpisodes: number;
  films: number;
  invalidDates: number;
  firstShow: { name: string; date: string; posterUrl: string | null };
  mostWatchedShow: { name: string; watched: number; total: number | null; posterUrl: string | null };
  topShows: { name: string; episodes: number; totalEpisodes: number | null; posterUrl: string | null }[];
  crossoverStar: { name: string; showCount: number; shows: string[] };
  genres: { name: string; share: number }[];
  rtScore: { score: number; band: string; showsScored: number; critics: Side | null; audience: Side | null };
  /**
   * How the crawl should find each TMDB-matched show's RT page: Wikidata's current id (by TMDB id, or
   * by IMDb id), else a slug, else none.
   */
  rtMatchedBy: { wikidata: number; slug: number; notFound: number };
  /** How each TMDB-matched show should be found: by the IMDb id Gandalf sent, else its TVDB id, else its name. */
  identifiedBy: { imdb: number; tvdb: number; name: number };
}

export function expectedReport(dataKey: string, catalog: Catalog): ExpectedReport {
  const history = historyFor(dataKey, catalog);
  if (!history) throw new Error(`no history for ${dataKey}`);
  const episodes = new Map<number, Set<string>>();
  const firstWatch = new Map<number, string>();
  const films = new Set<string>();
  let invalidDates = 0;

  for (const activity of history) {
    const date = calendarDate(activity.date);
    if (!date) invalidDates++;
    if (activity.showId === undefined) {
      films.add(activity.title);
      continue;
    }
    const show = catalog.showById.get(activity.showId)!;
    const rest = activity.title.slice(show.netflixName.length + 2);
    const season = show.seasons.find((s) => rest.startsWith(`${s.label}: `));
    if (!season) throw new Error(`activity title ${activity.title} does not match its show`);
    const key = `${season.label}\u0000${rest.slice(season.label.length + 2)}`;
    episodes.set(show.id, (episodes.get(show.id) ?? new Set()).add(key));
    if (date && (!firstWatch.has(show.id) || date < firstWatch.get(show.id)!)) firstWatch.set(show.id, date);
  }

  const shows = [...episodes.keys()].map((id) => catalog.showById.get(id)!);
  // A show missing from TMDB keeps the name Netflix gave it (without a region tag) and has no totals.
  const nameOf = (s: CatalogShow) => (s.onTmdb ? s.name : s.netflixName.replace(/\s*\([^)]*\)\s*$/, ''));
  const totalOf = (s: CatalogShow) => (s.onTmdb ? s.numberOfEpisodes : null);
  // The TMDB stand-in leaves out about 4% of posters, by a hash of the show's id.
  const posterOf = (s: CatalogShow) => (s.onTmdb && hashString(`no-poster:${s.id}`) % 100 >= 4 ? `https://image.tmdb.org/t/p/w500${s.posterPath}` : null);
  const watched = (s: CatalogShow) => episodes.get(s.id)!.size;
  const ranked = [...shows].sort(
    (a, b) => watched(b) - watched(a) || (totalOf(b) ?? -1) - (totalOf(a) ?? -1) || byCodePoint(nameOf(a), nameOf(b)),
  );
  const first = [...firstWatch.entries()].sort(([a, da], [b, db]) => byCodePoint(da, db) || byCodePoint(nameOf(catalog.showById.get(a)!), nameOf(catalog.showById.get(b)!)))[0];

  const onTmdb = shows.filter((s) => s.onTmdb);
  const genreCounts = new Map<string, number>();
  for (const s of onTmdb) for (const g of new Set(s.genres.map((x) => x.name))) genreCounts.set(g, (genreCounts.get(g) ?? 0) + 1);
  const genreTotal = [...genreCounts.values()].reduce((a, b) => a + b, 0);
  const genres = [...genreCounts.entries()]
    .sort(([a, na], [b, nb]) => nb - na || byCodePoint(a, b))
    .slice(0, 5)
    .map(([name, n]) => ({ name, share: round2((n / genreTotal) * 100) }));

  const actorShows = new Map<number, Set<number>>();
  for (const s of onTmdb) for (const c of s.cast) actorShows.set(c.actorId, (actorShows.get(c.actorId) ?? new Set()).add(s.id));
  const [starId, starShows] = [...actorShows.entries()].sort(([a, sa], [b, sb]) => {
    const actorA = catalog.actorById.get(a)!;
    const actorB = catalog.actorById.get(b)!;
    return sb.size - sa.size || actorB.popularity - actorA.popularity || byCodePoint(actorA.name, actorB.name);
  })[0];

  const scores = onTmdb
    .filter((s) => s.rt && (s.rt.criticsScore ?? s.rt.audienceScore ?? 0) > 0 && s.numberOfEpisodes > 0)
    .map((s) => Math.min(1, watched(s) / s.numberOfEpisodes) * (s.rt!.criticsScore ?? s.rt!.audienceScore)!);
  const rt = round2(scores.reduce((a, b) => a + b, 0) / scores.length);
  const rated = onTmdb.filter((s) => s.rt);

  const rtMatchedBy = { wikidata: 0, slug: 0, notFound: 0 };
  const identifiedBy = { imdb: 0, tvdb: 0, name: 0 };
  for (const s of onTmdb) {
    const types = subjectsFor(s).map((id) => id.identifierType);
    identifiedBy[types.includes('IMDB') ? 'imdb' : types.includes('TVDB') ? 'tvdb' : 'name']++;
    const facts = rtFactsFor(s);
    if (!facts) rtMatchedBy.notFound++;
    // Every matched show has an IMDb id: Gandalf's, or TMDB's external_ids.
    else if (facts.wikidata.kind === 'current' || facts.wikidataByImdb.kind === 'current') rtMatchedBy.wikidata++;
    else rtMatchedBy.slug++;
  }

  const most = ranked[0];
  return {
    totalShows: shows.length,
    totalEpisodes: shows.reduce((n, s) => n + watched(s), 0),
    films: films.size,
    invalidDates,
    firstShow: { name: nameOf(catalog.showById.get(first[0])!), date: first[1], posterUrl: posterOf(catalog.showById.get(first[0])!) },
    mostWatchedShow: { name: nameOf(most), watched: watched(most), total: totalOf(most), posterUrl: posterOf(most) },
    topShows: ranked.slice(0, 3).map((s) => ({ name: nameOf(s), episodes: watched(s), totalEpisodes: totalOf(s), posterUrl: posterOf(s) })),
    crossoverStar: {
      name: catalog.actorById.get(starId)!.name,
      showCount: starShows.size,
      shows: ranked.filter((s) => starShows.has(s.id)).slice(0, 5).map(nameOf),
    },
    genres,
    rtScore: {
      score: rt,
      band: rt < 40 ? 'Rotten' : rt < 70 ? 'Fresh' : 'Certified Fresh',
      showsScored: scores.length,
      critics: side(rated.map((s) => s.rt!.criticsScore)),
      audience: side(rated.map((s) => s.rt!.audienceScore)),
    },
    rtMatchedBy,
    identifiedBy,
  };
}
