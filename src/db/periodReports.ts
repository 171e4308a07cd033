// Year reports (src/domain/period.ts): built from the rows a session already stored, never from a
// service, and stored once per year beside the all-time version they were built with. The API's
// report route is their only writer: a year asked for again reads the stored one until new rows
// (a new all-time version) make it stale.
import { type EpisodeWatches, type YearReport, buildYearReport, episodesPerYear, orderYears } from '../domain/period.js';
import { imageUrl } from '../domain/report.js';
import type { Db } from './index.js';
import { latestReportVersion } from './reportVersions.js';

/** Every stored episode of the session with its dates, and the genres of its shows. */
export async function loadWatches(db: Db, sessionId: string): Promise<{ episodes: EpisodeWatches[]; genres: Map<number, string[]> }> {
  const rows = await db
    .selectFrom('episodes as e')
    .innerJoin('shows as s', 's.id', 'e.show_id')
    .select(['e.show_id', 's.name', 's.number_of_episodes', 's.poster_path', 'e.watched_on'])
    .where('e.session_id', '=', sessionId)
    .execute();
  const genreRows = await db
    .selectFrom('show_genres')
    .select(['show_id', 'genre'])
    .where('show_id', 'in', (qb) => qb.selectFrom('episodes').select('show_id').where('session_id', '=', sessionId))
    .execute();
  const genres = new Map<number, string[]>();
  for (const g of genreRows) genres.set(g.show_id, [...(genres.get(g.show_id) ?? []), g.genre]);
  return {
    episodes: rows.map((r) => ({ showId: r.show_id, showName: r.name, totalEpisodes: r.number_of_episodes, posterUrl: imageUrl(r.poster_path), dates: r.watched_on.filter((d) => typeof d === 'string') })),
    genres,
  };
}

/** The years a session's history covers, in the order the page offers them. */
export async function sessionYears(db: Db, sessionId: string, now = new Date()): Promise<number[]> {
  return orderYears(episodesPerYear((await loadWatches(db, sessionId)).episodes), now.getUTCFullYear());
}

/**
 * The session's report for `year`: the stored one for its latest all-time version, else built now
 * and stored. Undefined when the session has no all-time report yet (its rows are still arriving),
 * null when nothing was watched that year (nothing is stored then).
 */
export async function yearReport(db: Db, sessionId: string, year: number): Promise<YearReport | null | undefined> {
  const latest = await latestReportVersion(db, sessionId);
  if (!latest) return undefined;
  const period = String(year);
  const stored = await db
    .selectFrom('period_reports')
    .select('report')
    .where('session_id', '=', sessionId)
    .where('period', '=', period)
    .where('based_on_version', '=', latest.version)
    .executeTakeFirst();
  if (stored) return stored.report as YearReport;
  const { episodes, genres } = await loadWatches(db, sessionId);
  const report = buildYearReport({ sessionId, year, basedOnVersion: latest.version, episodes, genres });
  if (report.totalEpisodes === 0) return null;
  // Two readers building the same year at once: the first stored wins, both answer with it.
  await db
    .insertInto('period_reports')
    .values({ session_id: sessionId, period, based_on_version: latest.version, report: JSON.stringify(report), created_at: report.generatedAt })
    .onConflict((oc) => oc.columns(['session_id', 'period', 'based_on_version']).doNothing())
    .execute();
  const row = await db.selectFrom('period_reports').select('report').where('session_id', '=', sessionId).where('period', '=', period).where('based_on_version', '=', latest.version).executeTakeFirstOrThrow();
  return row.report as YearReport;
}
