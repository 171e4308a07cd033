// The Blend of two viewers (src/contracts/blend.ts), computed from each one's shows. Pure: the
// activity loads the rows, this decides, so the numbers are checked without a database.
import type { BlendReport, BlendScoreParts, BlendShow } from '../contracts/blend.js';
import { round2 } from './report.js';

/** One viewer's side of a Blend: their shows with distinct episodes watched, genres and RT taste. */
export interface BlendSide {
  shows: { showId: number; name: string; episodes: number; posterUrl: string | null; rtScore: number | null }[];
  /** Genre → share of genre appearances over the viewer's shows, in percent. */
  genreShares: ReadonlyMap<string, number>;
  /** The viewer's RT taste score (DESIGN §1), null when no show has a score. */
  rtTaste: number | null;
}

export const SHARED_SHOWS_MAX = 5;
const WEIGHTS = { genres: 0.4, sharedShows: 0.4, rtTaste: 0.2 };
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function blendParts(a: BlendSide, b: BlendSide): BlendScoreParts {
  let genres = 0;
  for (const [g, share] of a.genreShares) genres += Math.min(share, b.genreShares.get(g) ?? 0);
  const bById = new Map(b.shows.map((s) => [s.showId, s]));
  let both = 0;
  for (const s of a.shows) both += Math.min(s.episodes, bById.get(s.showId)?.episodes ?? 0);
  const total = (side: BlendSide) => side.shows.reduce((n, s) => n + s.episodes, 0);
  const smaller = Math.min(total(a), total(b));
  return {
    genres: round2(Math.min(100, genres)),
    sharedShows: smaller > 0 ? round2((both / smaller) * 100) : 0,
    rtTaste: a.rtTaste === null || b.rtTaste === null ? 50 : round2(100 - Math.abs(a.rtTaste - b.rtTaste)),
  };
}

export const matchScore = (p: BlendScoreParts) => Math.round(p.genres * WEIGHTS.genres + p.sharedShows * WEIGHTS.sharedShows + p.rtTaste * WEIGHTS.rtTaste);

/** Shows both watched, the ones both watched most of first (the smaller count), then by name. */
export function sharedShows(a: BlendSide, b: BlendSide): BlendShow[] {
  const bById = new Map(b.shows.map((s) => [s.showId, s]));
  return a.shows
    .filter((s) => bById.has(s.showId))
    .map((s) => ({ s, both: Math.min(s.episodes, bById.get(s.showId)!.episodes) }))
    .sort((x, y) => y.both - x.both || compareText(x.s.name, y.s.name))
    .slice(0, SHARED_SHOWS_MAX)
    .map(({ s }) => ({ name: s.name, posterUrl: s.posterUrl }));
}

/** The show `from` watched most that `to` never watched (ties: the better RT score, then name). */
export function showTheOther(from: BlendSide, to: BlendSide): BlendShow | null {
  const seen = new Set(to.shows.map((s) => s.showId));
  const pick = from.shows
    .filter((s) => !seen.has(s.showId))
    .sort((x, y) => y.episodes - x.episodes || (y.rtScore ?? -1) - (x.rtScore ?? -1) || compareText(x.name, y.name))[0];
  return pick ? { name: pick.name, posterUrl: pick.posterUrl } : null;
}

/** Everything of the Blend but its line, which the AI writes from this. */
export function blendFacts(blendId: string, a: BlendSide, b: BlendSide): Omit<BlendReport, 'line' | 'lineSource' | 'generatedAt'> {
  const parts = blendParts(a, b);
  return { blendId, matchScore: matchScore(parts), parts, sharedShows: sharedShows(a, b), aShowsB: showTheOther(a, b), bShowsA: showTheOther(b, a) };
}
