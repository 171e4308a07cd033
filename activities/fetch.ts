// Fetches a batch of history pages, parses titles and dates, and stores them in the same activity,
// so the workflow carries counts and show ids, never rows.
import { Context, log } from '@temporalio/activity';
import { sql } from 'kysely';
import type { GandalfActivity, GandalfClient, GandalfPage } from '../src/clients/gandalf/client.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { Db } from '../src/db/index.js';
import { parseGandalfDate } from '../src/domain/dates.js';
import { displayShowName, regionOf } from '../src/domain/names.js';
import { parseNetflixTitle } from '../src/domain/titles.js';
import type { ExternalId } from '../src/domain/identifiers.js';
import { identifiersIgnored } from '../src/observability/metrics.js';
import type { FetchBatchInput, FetchBatchResult } from '../src/contracts/index.js';
import { classified } from './failures.js';

export interface FetchDeps {
  db: Db;
  gandalf: GandalfClient;
  caller: ServiceCaller;
}

interface ParsedBatch {
  /**
   * showIdentityKey → the show as displayed (region tag stripped) and the region the tag named.
   * "Big Brother (U.S.)" and "Big Brother (UK)" are two shows; the tag picks the TMDB match later.
   */
  shows: Map<string, { name: string; region: string | null }>;
  /** showIdentityKey → the ids Gandalf sent with the show's activities, the first one per type. */
  identifiers: Map<string, ExternalId[]>;
  episodes: Map<string, { showKey: string; season: string; title: string; dates: Set<string> }>;
  films: Map<string, { title: string; dates: Set<string> }>;
  dateProblems: { activityId: string; rawDate: string; reason: string }[];
}

export function parseActivities(activities: GandalfActivity[]): ParsedBatch {
  const batch: ParsedBatch = { shows: new Map(), identifiers: new Map(), episodes: new Map(), films: new Map(), dateProblems: [] };
  for (const activity of activities) {
    const date = parseGandalfDate(activity.date);
    if (!date.ok) batch.dateProblems.push({ activityId: activity.id, rawDate: activity.date, reason: date.reason });
    let parsed;
    try {
      parsed = parseNetflixTitle(activity.title);
    } catch {
      continue; // an empty title names nothing we can count
    }
    if (parsed.kind === 'film') {
      const film = batch.films.get(parsed.titleKey) ?? { title: parsed.title, dates: new Set<string>() };
      if (date.ok) film.dates.add(date.date);
      batch.films.set(parsed.titleKey, film);
      continue;
    }
    const showKey = parsed.identityKey;
    if (!batch.shows.has(showKey)) batch.shows.set(showKey, { name: displayShowName(parsed.show), region: regionOf(parsed.show) });
    const ids = batch.identifiers.get(showKey) ?? [];
    for (const id of activity.identifiers) if (!ids.some((k) => k.identifierType === id.identifierType)) ids.push(id);
    if (ids.length > 0) batch.identifiers.set(showKey, ids);
    // Rewatches collapse into one episode; every watch date is kept.
    const key = JSON.stringify([showKey, parsed.season, parsed.episode]);
    const episode = batch.episodes.get(key) ?? { showKey, season: parsed.season, title: parsed.episode, dates: new Set<string>() };
    if (date.ok) episode.dates.add(date.date);
    batch.episodes.set(key, episode);
  }
  return batch;
}

const mergeDates = (column: string) =>
  sql<string[]>`(select coalesce(array_agg(distinct d order by d), '{}') from unnest(${sql.ref(column)} || excluded.watched_on) d)`;

export async function storeBatch(db: Db, sessionId: string, batchNo: number, parsed: ParsedBatch): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Sorted, so concurrent batches lock the same rows in the same order (no deadlocks).
    const showKeys = [...parsed.shows.keys()].sort();
    const showIds = new Map<string, number>();
    if (showKeys.length > 0) {
      await trx
        .insertInto('shows')
        .values(showKeys.map((key) => ({ name_key: key, name: parsed.shows.get(key)!.name, region: parsed.shows.get(key)!.region })))
        .onConflict((oc) => oc.column('name_key').doNothing())
        .execute();
      const rows = await trx.selectFrom('shows').select(['id', 'name_key']).where('name_key', 'in', showKeys).execute();
      for (const row of rows) showIds.set(row.name_key, row.id);
      // A show's first id of a type stays: ids name the show, they do not change with the viewer.
      const identifiers = showKeys.flatMap((key) => (parsed.identifiers.get(key) ?? []).map((id) => ({ show_id: showIds.get(key)!, identifier_type: id.identifierType, value: id.value })));
      if (identifiers.length > 0) {
        await trx
          .insertInto('show_identifiers')
          .values(identifiers)
          .onConflict((oc) => oc.columns(['show_id', 'identifier_type']).doNothing())
          .execute();
      }
      // The first batch to see a show claims it; a retried batch finds its own claims again.
      await trx
        .insertInto('session_shows')
        .values(rows.map((row) => ({ session_id: sessionId, show_id: row.id, first_batch: batchNo })))
        .onConflict((oc) => oc.columns(['session_id', 'show_id']).doNothing())
        .execute();
    }
    const episodes = [...parsed.episodes.values()];
    for (let i = 0; i < episodes.length; i += 500) {
      const values = episodes.slice(i, i + 500).map((e) => {
        const dates = [...e.dates].sort();
        return {
          session_id: sessionId,
          show_id: showIds.get(e.showKey)!,
          season: e.season,
          title: e.title,
          watched_on: dates,
          first_watched_on: dates[0] ?? null,
          last_watched_on: dates.at(-1) ?? null,
        };
      });
      await trx
        .insertInto('episodes')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['session_id', 'show_id', 'season', 'title']).doUpdateSet({
            watched_on: mergeDates('episodes.watched_on'),
            first_watched_on: sql`least(episodes.first_watched_on, excluded.first_watched_on)`,
            last_watched_on: sql`greatest(episodes.last_watched_on, excluded.last_watched_on)`,
          }),
        )
        .execute();
    }
    const films = [...parsed.films.entries()];
    if (films.length > 0) {
      await trx
        .insertInto('films')
        .values(films.map(([key, f]) => ({ session_id: sessionId, title_key: key, title: f.title, watched_on: [...f.dates].sort() })))
        .onConflict((oc) => oc.columns(['session_id', 'title_key']).doUpdateSet({ watched_on: mergeDates('films.watched_on') }))
        .execute();
    }
    if (parsed.dateProblems.length > 0) {
      await trx
        .insertInto('date_problems')
        .values(parsed.dateProblems.map((p) => ({ session_id: sessionId, activity_id: p.activityId, raw_date: p.rawDate, reason: p.reason })))
        .onConflict((oc) => oc.columns(['session_id', 'activity_id']).doNothing())
        .execute();
    }
  });
}

export function createFetchActivities({ db, gandalf, caller }: FetchDeps) {
  return {
    async fetchHistoryBatch(input: FetchBatchInput): Promise<FetchBatchResult> {
      return classified(async () => {
        const ctx = Context.current();
        const pages: number[] = [];
        for (let p = input.firstPage; p <= input.lastPage; p++) pages.push(p);
        let fetched = 0;
        // Pages go out together; the shared limiter paces them against Gandalf's rate limit. Alive
        // while Gandalf paces us (its refusals spend no attempt): a beat every 20 s meanwhile.
        const alive = setInterval(() => ctx.heartbeat({ pagesFetched: fetched }), 20_000);
        let results: GandalfPage[];
        try {
          results = await Promise.all(
            pages.map(async (page) => {
              const result = await caller.call('gandalf', () => gandalf.getActivityPage(input.dataKey, page, input.pageSize, ctx.cancellationSignal), ctx.cancellationSignal);
              ctx.heartbeat({ pagesFetched: ++fetched });
              return result;
            }),
          );
        } finally {
          clearInterval(alive);
        }
        const activities = results.flatMap((r) => r.activities);
        const ignored = results.reduce((n, r) => n + r.ignoredIdentifiers, 0);
        if (ignored > 0) {
          identifiersIgnored.inc(ignored);
          log.warn('Gandalf sent malformed subject identifiers; ignored them (their shows are matched by their other ids or by name)', { ignored, pages: pages.length });
        }
        await storeBatch(db, input.sessionId, input.batch, parseActivities(activities));
        const fresh = await db
          .selectFrom('session_shows')
          .select('show_id')
          .where('session_id', '=', input.sessionId)
          .where('first_batch', '=', input.batch)
          .orderBy('show_id')
          .execute();
        return {
          total: Math.max(...results.map((r) => r.total)),
          pagesFetched: pages.length,
          activities: activities.length,
          newShowIds: fresh.map((r) => r.show_id),
        };
      });
    },
  };
}
