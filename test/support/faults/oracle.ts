// The "no loss, no duplicates" oracle: a session's rows and stored report, in a canonical form that
// a crash-free baseline run and a faulted run of the same dataKey must share exactly.
import { sql } from 'kysely';
import assert from 'node:assert/strict';
import type { Db } from '../../../src/db/index.js';
import type { Report } from '../../../src/domain/report.js';
import type { Catalog } from '../../../standins/index.js';
import { expectedReport } from '../expectedReport.js';

export const TABLES = ['episodes', 'films', 'session_shows', 'date_problems'] as const;
export type Table = (typeof TABLES)[number];

export interface SessionSnapshot {
  sessionId: string;
  state: string | null;
  /** Canonical rows per table, sorted (a multiset: a duplicate would appear twice). */
  rows: Record<Table, string[]>;
  /** Keys stored more than once, plus watch dates repeated inside one row. */
  duplicates: number;
  deadLetters: number;
  /** A few dead letters as `stage show: error`, for messages. */
  deadLetterSamples: string[];
  /** name_key of every dead-lettered show, with its error. */
  deadLettered: Map<string, string>;
  /**
   * Each of the session's shows, as the session left it: TMDB and RT outcome and the facts the
   * report uses. Shows are shared by sessions, so this is taken right when the session ends.
   */
  shows: Map<string, string>;
  /** The stored report without the fields that differ between any two runs. */
  report: Record<string, unknown> | null;
}

/** A slow (faulted) run may cross the report deadline: its final report then has a higher version number. */
const VOLATILE = ['generatedAt', 'sessionId', 'aiSources', 'version'];
/**
 * AI answers whose input depends on timing, not only on the history: the show quips are written
 * when the fetch ends, with whatever TMDB facts have arrived by then, and the star sign is picked at
 * the 97% gate, before the last shows' scores are in. They must exist; their wording may differ.
 */
export const TIMING_DEPENDENT = ['firstShowQuip', 'mostWatchedShowQuip', 'starSign', 'personality', 'rtScoreQuip', 'topGenresQuip'];

function canonicalReport(report: Report | null): Record<string, unknown> | null {
  if (!report) return null;
  return Object.fromEntries(Object.entries(report).filter(([k]) => !VOLATILE.includes(k)));
}

// How this session's shows were identified depends on what the show cache already held (a faulted
// run after its baseline finds the baseline's shows matched), not on the faults: left out of the comparison.
const without = (report: Record<string, unknown> | null, keys: string[]) =>
  report &&
  Object.fromEntries(
    Object.entries(report)
      .filter(([k]) => !keys.includes(k))
      .map(([k, v]) => (k === 'dataQuality' && v && typeof v === 'object' ? [k, { ...(v as Record<string, unknown>), identifiedBy: undefined }] : [k, v])),
  );

const repeatedDates = (dates: string[]) => dates.length - new Set(dates).size;

export async function snapshotSession(db: Db, sessionId: string): Promise<SessionSnapshot> {
  const episodes = await db
    .selectFrom('episodes')
    .innerJoin('shows', 'shows.id', 'episodes.show_id')
    .select(['shows.name_key', 'episodes.season', 'episodes.title', 'episodes.watched_on', 'episodes.first_watched_on', 'episodes.last_watched_on'])
    .where('episodes.session_id', '=', sessionId)
    .execute();
  const films = await db.selectFrom('films').select(['title_key', 'title', 'watched_on']).where('session_id', '=', sessionId).execute();
  // first_batch is left out: which of two concurrent batches claims a shared show is a race by design.
  const sessionShows = await db
    .selectFrom('session_shows')
    .innerJoin('shows', 'shows.id', 'session_shows.show_id')
    .select('shows.name_key')
    .where('session_shows.session_id', '=', sessionId)
    .execute();
  const dateProblems = await db.selectFrom('date_problems').select(['activity_id', 'raw_date', 'reason']).where('session_id', '=', sessionId).execute();

  // The primary keys should make these zero; counting says so instead of assuming it.
  const dupKeys = await sql<{ n: number }>`
    select (
      (select count(*) from (select 1 from episodes where session_id = ${sessionId} group by show_id, season, title having count(*) > 1) e) +
      (select count(*) from (select 1 from films where session_id = ${sessionId} group by title_key having count(*) > 1) f) +
      (select count(*) from (select 1 from session_shows where session_id = ${sessionId} group by show_id having count(*) > 1) s) +
      (select count(*) from (select 1 from date_problems where session_id = ${sessionId} group by activity_id having count(*) > 1) d) +
      (select count(*) from (select 1 from report_versions where session_id = ${sessionId} and final group by session_id having count(*) > 1) r)
    )::int as n`.execute(db);

  const session = await db.selectFrom('sessions').select('state').where('id', '=', sessionId).executeTakeFirst();
  const report = await db.selectFrom('report_versions').select('report').where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  const deadLetters = await db
    .selectFrom('dead_letters')
    .innerJoin('shows', 'shows.id', 'dead_letters.show_id')
    .select(['dead_letters.stage', 'shows.name', 'shows.name_key', 'dead_letters.error', 'dead_letters.attempts'])
    .where('dead_letters.session_id', '=', sessionId)
    .execute();

  const shows = await db
    .selectFrom('session_shows')
    .innerJoin('shows', 'shows.id', 'session_shows.show_id')
    .select(['shows.name_key', 'shows.tmdb_status', 'shows.tmdb_id', 'shows.number_of_episodes', 'shows.rt_status', 'shows.critics_score', 'shows.audience_score'])
    .where('session_shows.session_id', '=', sessionId)
    .execute();

  const sortedDates = (d: string[]) => [...d].sort();
  const rows: Record<Table, string[]> = {
    episodes: episodes.map((e) => JSON.stringify([e.name_key, e.season, e.title, sortedDates(e.watched_on), e.first_watched_on, e.last_watched_on])),
    films: films.map((f) => JSON.stringify([f.title_key, f.title, sortedDates(f.watched_on)])),
    session_shows: sessionShows.map((s) => JSON.stringify([s.name_key])),
    date_problems: dateProblems.map((p) => JSON.stringify([p.activity_id, p.raw_date, p.reason])),
  };
  for (const t of TABLES) rows[t].sort();
  return {
    sessionId,
    state: session?.state ?? null,
    rows,
    duplicates: Number(dupKeys.rows[0]?.n ?? 0) + episodes.reduce((n, e) => n + repeatedDates(e.watched_on), 0) + films.reduce((n, f) => n + repeatedDates(f.watched_on), 0),
    deadLetters: deadLetters.length,
    deadLetterSamples: deadLetters.slice(0, 5).map((d) => `${d.stage} "${d.name}" after ${d.attempts} attempts: ${d.error}`),
    deadLettered: new Map(deadLetters.map((d) => [d.name_key, d.error])),
    shows: new Map(shows.map((r) => [r.name_key, JSON.stringify([r.tmdb_status, r.tmdb_id, r.number_of_episodes, r.rt_status, r.critics_score, r.audience_score])])),
    report: canonicalReport((report?.report as Report | undefined) ?? null),
  };
}

export interface Comparison {
  /** Baseline rows the faulted run lacks. */
  lost: number;
  /** Rows the faulted run has that the baseline doesn't, plus duplicated keys and dates. */
  duplicated: number;
  extra: number;
  reportEqual: boolean;
  /** Timing-dependent AI answers that differ from the baseline's (informational). */
  aiDiffering: number;
  /** Shows whose outcome differs from the baseline's although nothing says they failed: made-up data. */
  showsSilentlyWrong: number;
  problems: string[];
}

function multisetDiff(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const row of b) counts.set(row, (counts.get(row) ?? 0) + 1);
  const missing: string[] = [];
  for (const row of a) {
    const n = counts.get(row) ?? 0;
    if (n > 0) counts.set(row, n - 1);
    else missing.push(row);
  }
  return missing;
}

/** `explained`: shows dead-lettered by any session of the run (shows are shared between sessions). */
export function compareSnapshots(baseline: SessionSnapshot, faulted: SessionSnapshot, explained: Set<string> = new Set(faulted.deadLettered.keys())): Comparison {
  const problems: string[] = [];
  let lost = 0;
  let extra = 0;
  for (const t of TABLES) {
    const missing = multisetDiff(baseline.rows[t], faulted.rows[t]);
    const added = multisetDiff(faulted.rows[t], baseline.rows[t]);
    lost += missing.length;
    extra += added.length;
    if (missing.length) problems.push(`${t}: ${missing.length} baseline rows missing, e.g. ${missing.slice(0, 2).join(' ')}`);
    if (added.length) problems.push(`${t}: ${added.length} rows not in the baseline, e.g. ${added.slice(0, 2).join(' ')}`);
  }
  if (faulted.duplicates) problems.push(`${faulted.duplicates} duplicated keys or dates`);
  if (faulted.deadLetters) problems.push(`${faulted.deadLetters} dead-lettered shows, e.g. ${faulted.deadLetterSamples.join('; ')}`);
  if (faulted.state !== 'COMPLETED') problems.push(`session state ${faulted.state}`);
  let reportEqual = true;
  try {
    assert.deepStrictEqual(without(faulted.report, TIMING_DEPENDENT), without(baseline.report, TIMING_DEPENDENT));
  } catch (error) {
    reportEqual = false;
    problems.push(`report differs from the baseline's:\n${(error as Error).message.slice(0, 3000)}`);
  }
  let showsSilentlyWrong = 0;
  for (const [key, outcome] of baseline.shows) {
    const now = faulted.shows.get(key);
    if (now === undefined || now === outcome || explained.has(key)) continue;
    showsSilentlyWrong++;
    if (showsSilentlyWrong <= 3) problems.push(`show ${key} silently differs: ${now} (baseline ${outcome})`);
  }
  let aiDiffering = 0;
  for (const key of TIMING_DEPENDENT) {
    const [b, f] = [baseline.report?.[key] ?? null, faulted.report?.[key] ?? null];
    if (b !== null && f === null) problems.push(`report.${key} is missing (baseline has one)`);
    if (JSON.stringify(b) !== JSON.stringify(f)) aiDiffering++;
  }
  return { lost, extra, duplicated: faulted.duplicates, reportEqual, aiDiffering, showsSilentlyWrong, problems };
}

/** The report's facts against an independent computation from the stand-in's data. */
export function checkExpectedReport(report: Record<string, unknown> | null, dataKey: string, catalog: Catalog): string[] {
  if (!report) return ['no stored report'];
  const r = report as unknown as Report;
  const e = expectedReport(dataKey, catalog);
  const checks: [string, unknown, unknown][] = [
    ['totalShows', r.totalShows, e.totalShows],
    ['totalEpisodes', r.totalEpisodes, e.totalEpisodes],
    ['films', r.films, e.films],
    ['invalidDates', r.dataQuality.invalidDates, e.invalidDates],
    ['firstShow', r.firstShow, e.firstShow],
    ['mostWatchedShow', { name: r.mostWatchedShow?.name, watched: r.mostWatchedShow?.watched, total: r.mostWatchedShow?.total, posterUrl: r.mostWatchedShow?.posterUrl }, e.mostWatchedShow],
    ['topShows', r.topShows, e.topShows],
    ['crossoverStar', { name: r.crossoverStar?.name, showCount: r.crossoverStar?.showCount, shows: r.crossoverStar?.shows }, e.crossoverStar],
    ['genres', r.genres, e.genres],
    ['rtScore', r.rtScore, e.rtScore],
  ];
  const problems: string[] = [];
  for (const [name, actual, expected] of checks) {
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      problems.push(`${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  }
  return problems;
}
