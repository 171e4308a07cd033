// The report a viewer sees (DESIGN §1). Built from stored rows by buildReport.
import type { Bff } from './ai/answers.js';

const TMDB_IMAGE_BASE = 'https://image.tmdb.org/t/p/w500';
export const imageUrl = (path: string | null | undefined) => (path ? `${TMDB_IMAGE_BASE}${path}` : null);

export interface ShowStat {
  showId: number;
  name: string;
  episodes: number;
  totalEpisodes: number | null;
  posterUrl: string | null;
}

/** A plain mean of one side's scores over the viewer's shows that have one (a 0 counts as none, as in `score`). */
export interface RtSide {
  mean: number;
  shows: number;
}

/** DESIGN §1's taste score, with the critics' and the audience's means beside it. */
export interface RtScore {
  score: number;
  band: string;
  showsScored: number;
  /** Null when no show has that side's score; absent in reports stored before they were kept. */
  critics?: RtSide | null;
  audience?: RtSide | null;
}

/** The story cards of the viewer's page, in the order they play; share links and images name them too. */
export const STORY_CARDS = ['overview', 'firstShow', 'mostWatched', 'topShows', 'crossoverStar', 'genres', 'rtTaste', 'bff', 'starSign', 'personality', 'summary'] as const;
export type StoryCard = (typeof STORY_CARDS)[number];
export const isStoryCard = (value: string): value is StoryCard => (STORY_CARDS as readonly string[]).includes(value);

/** How much of what a card will ever draw on it was drawn from, e.g. "RT taste from 212 of 341 shows". */
export interface CardCoverage {
  /** Nothing more will change this card (short of a re-drive). */
  complete: boolean;
  done: number;
  total: number;
  /** The viewer-facing sentence. */
  label: string;
}

/**
 * A report is stored as numbered versions (report_versions), never edited once stored: a
 * provisional one at the deadline, another when the star sign's gate opens, the final one at the end.
 */
export interface Report {
  sessionId: string;
  /** 1, 2, 3… in the order the session stored them; the latest is the one to show. */
  version: number;
  /** False for a provisional report: enrichment was still going on when it was built. */
  final: boolean;
  generatedAt: string;
  coverage: Record<StoryCard, CardCoverage>;
  /** `posterUrl` (TMDB, w500): null when TMDB has none; absent in reports stored before it was kept. */
  firstShow: { name: string; date: string; posterUrl?: string | null } | null;
  mostWatchedShow: { name: string; watched: number; total: number | null; summary: string; posterUrl?: string | null } | null;
  totalShows: number;
  totalEpisodes: number;
  films: number;
  topShows: { name: string; episodes: number; totalEpisodes: number | null; posterUrl?: string | null }[];
  crossoverStar: { name: string; imageUrl: string | null; showCount: number; shows: string[] } | null;
  genres: { name: string; share: number }[];
  rtScore: RtScore | null;
  bff: Bff | null;
  starSign: { sign: string; quip: string } | null;
  personality: { name: string; quip: string } | null;
  firstShowQuip: string | null;
  mostWatchedShowQuip: string | null;
  rtScoreQuip: string | null;
  topGenresQuip: string | null;
  aiSources: Record<string, 'llm' | 'local'>;
  dataQuality: {
    invalidDates: number;
    invalidDateSamples: { activityId: string; date: string; reason: string }[];
    showsNotOnTmdb: number;
    showsNotOnRt: number;
    /** How the crawl found each show's RT page: Wikidata's TMDB→RT id, a slug guess its JSON-LD confirmed, or none. */
    /** Absent in reports stored before it was kept. Shows crawled before then count in none of the three. */
    rtMatchedBy?: { wikidata: number; slug: number; notFound: number };
    /**
     * How each show was found on TMDB: by an IMDb or TVDB id Gandalf sent (/find), or by a name search.
     * Absent in reports stored before it was kept; shows matched before then (or by the catalog crawler) count in none.
     */
    identifiedBy?: { imdb: number; tvdb: number; name: number };
    showsFailed: number;
    /** Shows that failed for good and can be re-driven (GET /api/sessions/:id/failures). */
    unresolvedFailures: number;
    /** Rotten Tomatoes could not be reached for any show: the taste score is missing for that reason. */
    rtUnavailable: boolean;
    crawlComplete: boolean;
    /** Services refusing us for pace past the throttle patience when this version was built (absent: none). */
    throttled?: string[];
  };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** What a report version was drawn from: the session's shows, and how many are enriched and crawled. */
export interface EnrichmentCounts {
  total: number;
  showData: number;
  crawl: number;
  /** Of `crawl`, the shows whose RT page could not be read (failed for good, re-drivable). */
  crawlFailed?: number;
  /** Services refusing us for pace past the patience: their cards wait on them. */
  throttled?: string[];
  episodes: number;
  final: boolean;
  hasBff: boolean;
  hasStarSign: boolean;
}

/** "RT taste from 5 of 17 shows; 11 could not be read", and whether RT is slowing us down. */
function rtTasteLabel(c: EnrichmentCounts): string {
  const failed = c.crawlFailed ?? 0;
  const parts = [`RT taste from ${c.crawl - failed} of ${c.total} shows`];
  if (failed > 0) parts.push(`${failed} could not be read`);
  if (c.throttled?.includes('rt')) parts.push('Rotten Tomatoes is slowing us down, the rest follow at its pace');
  return parts.join('; ');
}

/** Each card's coverage. The history is fetched whole before any version, so its cards are complete. */
export function cardCoverage(c: EnrichmentCounts): Record<StoryCard, CardCoverage> {
  const of = (done: number, label: (n: string) => string, complete = done >= c.total): CardCoverage => ({
    complete,
    done,
    total: c.total,
    label: label(`${done} of ${c.total} shows`),
  });
  const history = of(c.total, () => `From all ${c.total} shows and ${c.episodes} episodes you watched`);
  // The reading needs both show data and the crawl: it is as far along as the slower of the two.
  const reading = Math.min(c.showData, c.crawl);
  const starSign = c.hasStarSign
    ? of(reading, (n) => `Read from ${n}`)
    : of(reading, (n) => `The stars are still reading: ${n} so far`, false);
  return {
    overview: history,
    firstShow: history,
    mostWatched: history,
    topShows: history,
    crossoverStar: of(c.showData, (n) => `Crossover star from ${n}`),
    genres: of(c.showData, (n) => `Genres from ${n}`),
    // Outcomes as they are: a show whose page could not be read is counted apart, never as read.
    rtTaste: of(c.crawl, () => rtTasteLabel(c), c.crawl >= c.total),
    bff: c.hasBff ? of(c.showData, (n) => `Picked from ${n}`) : of(c.showData, (n) => (c.final ? 'No show with a cast to pick from' : `Your TV best friend comes once show data is in: ${n}`), c.final),
    starSign,
    personality: { ...starSign },
    summary: of(reading, (n) => (c.final ? `Everything is in: ${n}` : `Still improving: ${n} enriched and crawled`), c.final),
  };
}
