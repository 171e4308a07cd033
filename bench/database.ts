// A scenario's scratch PostgreSQL database, and what the bench reads from it: rows counted per table
// and how each show of the scenario's sessions ended.
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { type Cleanup, createScratchDatabase } from './infra.js';

export interface ScenarioDb {
  url: string;
  drop: () => Promise<void>;
  /** Catalog show ids whose data some earlier session in this database already stored. */
  seenShows: Set<number>;
}

const SHARED_TABLES = ['shows', 'show_cast', 'actors', 'show_genres'] as const;
const SESSION_TABLES = ['episodes', 'films', 'session_shows', 'report_versions', 'insights', 'date_problems'] as const;

export async function newDatabase(opts: { databaseUrl: string; runTag: string; cleanup: Cleanup }, label: string): Promise<ScenarioDb> {
  const name = `showprint_bench_${opts.runTag}_${label.replace(/\W/g, '_')}`;
  const scratch = await createScratchDatabase(opts.databaseUrl, name);
  const drop = opts.cleanup.add(`drop database ${name}`, scratch.drop);
  // Migrate here, before the worker starts, so the bench can read the tables from the first poll.
  const handle = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
  await handle.close();
  return { url: scratch.url, drop, seenShows: new Set() };
}

/** Rows of the tables sessions share (shows and their cast), to count what a scenario added. */
export async function countShared(pool: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of SHARED_TABLES) out[t] = Number((await pool.query(`select count(*)::int as n from ${t}`)).rows[0].n);
  return out;
}

/** Rows the sessions wrote: their own tables' rows, plus what they added to the shared ones. */
export async function rowsWritten(pool: pg.Pool, sessionIds: string[], sharedBefore: Record<string, number>): Promise<Record<string, number>> {
  const sessionRows: Record<string, number> = {};
  for (const t of SESSION_TABLES) {
    sessionRows[t] = Number((await pool.query(`select count(*)::int as n from ${t} where session_id = any($1::text[])`, [sessionIds])).rows[0].n);
  }
  const sharedAfter = await countShared(pool);
  const rows: Record<string, number> = { ...sessionRows };
  for (const t of SHARED_TABLES) rows[t] = sharedAfter[t] - sharedBefore[t];
  return rows;
}

/** On-disk size (table, indexes and TOAST) of each session and shared table after the scenario. */
export async function tableBytes(pool: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...SESSION_TABLES, ...SHARED_TABLES]) out[t] = Number((await pool.query(`select pg_total_relation_size($1::regclass)::bigint as n`, [t])).rows[0].n);
  return out;
}

export interface ShowOutcomes {
  tmdb: Record<string, number>;
  rt: Record<string, number>;
  rtMatch: Record<string, number>;
}

/** Speed only counts with the work done: how each show of the sessions ended on TMDB and RT. */
export async function showOutcomes(pool: pg.Pool, sessionIds: string[]): Promise<ShowOutcomes> {
  const { rows: outcomeRows } = await pool.query<{ tmdb_status: string; rt_status: string; n: number }>(
    `select tmdb_status, rt_status, count(*)::int as n from shows
      where id in (select show_id from session_shows where session_id = any($1::text[])) group by 1, 2`,
    [sessionIds],
  );
  const outcomes: ShowOutcomes = { tmdb: {}, rt: {}, rtMatch: {} };
  for (const r of outcomeRows) {
    outcomes.tmdb[r.tmdb_status] = (outcomes.tmdb[r.tmdb_status] ?? 0) + r.n;
    if (r.tmdb_status === 'matched') outcomes.rt[r.rt_status] = (outcomes.rt[r.rt_status] ?? 0) + r.n;
  }
  // Which way RT pages were found (wikidata, slug, not_found); a schema without rt_match has no answer.
  await pool
    .query<{ rt_match: string | null; n: number }>(
      `select rt_match, count(*)::int as n from shows
        where tmdb_status = 'matched' and id in (select show_id from session_shows where session_id = any($1::text[])) group by 1`,
      [sessionIds],
    )
    .then(
      ({ rows: matchRows }) => matchRows.forEach((r) => (outcomes.rtMatch[r.rt_match ?? 'none'] = r.n)),
      () => undefined,
    );
  return outcomes;
}
