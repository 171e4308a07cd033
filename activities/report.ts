// Assembles a report version from stored rows and the stored AI answers: a provisional one from
// what is enriched so far, or the final one. Each card says how much it was drawn from.
import { listDeadLetters } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { asyncLocalStorage } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { storeNextReportVersion } from '../src/db/reportVersions.js';
import { loadSessionStats } from '../src/db/stats.js';
import type { Bff, ShowQuipsOutput, StarSignOutput } from '../src/domain/ai/answers.js';
import { type Report, cardCoverage } from '../src/domain/report.js';
import type { ReportVersionRef } from '../src/contracts/index.js';

export interface BuildReportInput {
  sessionId: string;
  crawlComplete: boolean;
  /** Services refusing the session for pace past the throttle patience (the session's progress says so too). */
  throttled?: string[];
  /**
   * The session workflow's claim number for this build (its retries send the same); absent
   * (re-drives, refreshes): the activity is the claim. The database numbers the version either way.
   */
  version?: number;
  /** Absent: final. */
  final?: boolean;
}

async function assembleReport(db: Db, sessionId: string, crawlComplete: boolean, version: { version: number; final: boolean }, throttled: string[] = []): Promise<Report> {
  const stats = await loadSessionStats(db, sessionId);
  const insights = await db.selectFrom('insights').select(['kind', 'output', 'source']).where('session_id', '=', sessionId).execute();
  const answer = <T>(kind: string) => insights.find((i) => i.kind === kind)?.output as T | undefined;
  const quips = answer<ShowQuipsOutput>('showQuips');
  const sign = answer<StarSignOutput>('starSign');
  const bff = answer<Bff>('tvBff');

  const problems = await db.selectFrom('date_problems').select(['activity_id', 'raw_date', 'reason']).where('session_id', '=', sessionId).orderBy('activity_id').execute();
  const statusCounts = await db
    .selectFrom('shows')
    .select(['tmdb_status', 'tmdb_match', 'rt_status', 'rt_match'])
    .where('id', 'in', (qb) => qb.selectFrom('session_shows').select('show_id').where('session_id', '=', sessionId))
    .execute();
  const matched = statusCounts.filter((s) => s.tmdb_status === 'matched');
  const most = stats.shows[0];
  const enrichment = {
    total: statusCounts.length,
    showData: statusCounts.filter((s) => s.tmdb_status !== 'pending').length,
    // Only TMDB matches are crawled: the others are as crawled as they will ever be.
    crawl: statusCounts.filter((s) => s.tmdb_status === 'not_found' || s.tmdb_status === 'failed' || s.rt_status !== 'pending').length,
    crawlFailed: statusCounts.filter((s) => s.tmdb_status === 'failed' || (s.tmdb_status === 'matched' && s.rt_status === 'failed')).length,
    throttled,
  };
  return {
    sessionId,
    ...version,
    generatedAt: new Date().toISOString(),
    coverage: cardCoverage({ ...enrichment, episodes: stats.totalEpisodes, final: version.final, hasBff: !!bff, hasStarSign: !!sign }),
    firstShow: stats.firstShow ? { name: stats.firstShow.name, date: stats.firstShow.date, posterUrl: stats.firstShow.posterUrl } : null,
    mostWatchedShow: most
      ? {
          name: most.name,
          watched: most.episodes,
          total: most.totalEpisodes,
          summary: `watched ${most.episodes} of ${most.totalEpisodes ?? '?'} episodes`,
          posterUrl: most.posterUrl,
        }
      : null,
    totalShows: stats.shows.length,
    totalEpisodes: stats.totalEpisodes,
    films: stats.films,
    topShows: stats.shows.slice(0, 3).map((s) => ({ name: s.name, episodes: s.episodes, totalEpisodes: s.totalEpisodes, posterUrl: s.posterUrl })),
    crossoverStar: stats.crossoverStar,
    genres: stats.genres,
    rtScore: stats.rtScore,
    bff: bff ?? null,
    starSign: sign?.starSign ?? null,
    personality: sign?.personality ?? null,
    firstShowQuip: quips?.firstShowQuip ?? null,
    mostWatchedShowQuip: quips?.mostWatchedShowQuip ?? null,
    rtScoreQuip: sign?.rtScoreQuip ?? null,
    topGenresQuip: sign?.topGenresQuip ?? null,
    aiSources: Object.fromEntries(insights.map((i) => [i.kind, i.source])),
    dataQuality: {
      invalidDates: problems.length,
      invalidDateSamples: problems.slice(0, 20).map((p) => ({ activityId: p.activity_id, date: p.raw_date, reason: p.reason })),
      showsNotOnTmdb: statusCounts.filter((s) => s.tmdb_status === 'not_found').length,
      showsNotOnRt: statusCounts.filter((s) => s.tmdb_status === 'matched' && s.rt_status === 'not_found').length,
      rtMatchedBy: {
        wikidata: statusCounts.filter((s) => s.rt_match === 'wikidata').length,
        slug: statusCounts.filter((s) => s.rt_match === 'slug').length,
        notFound: statusCounts.filter((s) => s.rt_match === 'not_found').length,
      },
      identifiedBy: {
        imdb: matched.filter((s) => s.tmdb_match === 'imdb').length,
        tvdb: matched.filter((s) => s.tmdb_match === 'tvdb').length,
        name: matched.filter((s) => s.tmdb_match === 'name').length,
      },
      showsFailed: statusCounts.filter((s) => s.tmdb_status === 'failed' || s.rt_status === 'failed').length,
      unresolvedFailures: (await listDeadLetters(db, sessionId)).length,
      rtUnavailable: matched.length > 0 && matched.every((s) => s.rt_status === 'failed'),
      crawlComplete,
      ...(throttled.length > 0 ? { throttled } : {}),
    },
  };
}

/** What names an appending build: its activity (a retry is the same one); called outside an activity, a build of its own. */
function appendClaim(): string {
  const context = asyncLocalStorage.getStore();
  if (!context) return `direct/${randomUUID()}`;
  const { workflowExecution: by, activityId } = context.info;
  return `${by?.workflowId}/${by?.runId}/${activityId}`;
}

export function createReportActivities({ db }: { db: Db }) {
  return {
    /** Builds and stores the next report version and says which; the session's state is the workflow's to record. */
    async buildReport({ sessionId, crawlComplete, version, final, throttled }: BuildReportInput): Promise<ReportVersionRef> {
      const claim = version !== undefined ? `session:${version}` : appendClaim();
      const report = await storeNextReportVersion(db, sessionId, claim, (number, trx) => assembleReport(trx, sessionId, crawlComplete, { version: number, final: final ?? true }, throttled));
      return { version: report.version, final: report.final, coverage: report.coverage.summary.label };
    },
  };
}
