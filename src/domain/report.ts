// The report a viewer sees (DESIGN §1). Built from stored rows by buildReport.
import type { Bff } from './ai/answers.js';

const TMDB_IMAGE_BASE = 'https://image.tmdb.org/t/p/w500';
export const imageUrl = (path: string | null | undefined) => (path ? `${TMDB_IMAGE_BASE}${path}` : null);

export interface ShowStat {
  showId: number;
  name: string;
  episodes: number;
  totalEpisodes: number | null;
}

export interface Report {
  sessionId: string;
  generatedAt: string;
  firstShow: { name: string; date: string } | null;
  mostWatchedShow: { name: string; watched: number; total: number | null; summary: string } | null;
  totalShows: number;
  totalEpisodes: number;
  films: number;
  topShows: { name: string; episodes: number; totalEpisodes: number | null }[];
  crossoverStar: { name: string; imageUrl: string | null; showCount: number; shows: string[] } | null;
  genres: { name: string; share: number }[];
  rtScore: { score: number; band: string; showsScored: number } | null;
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
    showsFailed: number;
    /** Shows that failed for good and can be re-driven (GET /api/sessions/:id/failures). */
    unresolvedFailures: number;
    /** Rotten Tomatoes could not be reached for any show: the taste score is missing for that reason. */
    rtUnavailable: boolean;
    crawlComplete: boolean;
  };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
