// Enriches one chunk of shows from TMDB: reuse what any session fetched within the cache TTL,
// otherwise find it by the IMDb or TVDB id Gandalf sent (/find: exact, no guessing), else search, pick the best match (not blindly the first result, and from the title's region
// when it had a tag) and store details and cast. TMDB answers that do not fit their schema are
// transient (TmdbBadResponse): retried with the chunk, dead-lettered with a sample on its last attempt.
import { Context } from '@temporalio/activity';
import { type Selectable, sql } from 'kysely';
import { PermanentServiceError } from '../src/clients/errors.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient, TmdbExternalSource, TmdbShowDetails } from '../src/clients/tmdb.js';
import { outcomeStands, writeOffShows } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { type SingleFlightOptions, outcomesStored, singleFlight } from '../src/db/lookupClaims.js';
import type { ShowsTable, TmdbMatch } from '../src/db/schema.js';
import { showsIdentified } from '../src/observability/metrics.js';
import { isWellFormedId } from '../src/domain/identifiers.js';
import { pickTmdbMatch } from '../src/domain/tmdbMatch.js';
import { type ShowsInput, type ChunkOutcome, isLastChunkAttempt } from '../src/contracts/index.js';
import { classified, showsUnfinished } from './failures.js';
import { claimHolder } from './claimHolder.js';
import { createFairLanes } from './fairLanes.js';

export interface ShowDataDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  /** Shows looked up at once over every chunk, an equal share per session waiting (activities/fairLanes.ts); the shared limiter sets the actual pace. */
  concurrency?: number;
  /** How long a lookup claim lasts and how often a waiter looks (tests shorten them). */
  claims?: SingleFlightOptions;
}

/** Heartbeat period while a chunk waits: well inside the activities' one-minute heartbeat timeout. */
const KEEP_ALIVE_MS = 20_000;
/** Keeps the cast that matters for the report: the most-credited members. */
const CAST_LIMIT = 25;

/** 'failed' = dead-lettered on the chunk's last attempt; an Error = failed this attempt, to be retried. */
type ShowOutcome = 'matched' | 'not_found' | 'failed' | Error;

/** Heartbeat details: a retried attempt skips what an earlier one finished, even with no cache (TTL 0). */
interface EnrichProgress {
  finished: [showId: number, outcome: Exclude<ShowOutcome, Error>][];
}

/** A show's TMDB details, to be stored on its row. */
export interface ShowDetails {
  showId: number;
  details: TmdbShowDetails;
  /** How the show was found; absent (the catalog crawler knows the TMDB id) leaves it as it was. */
  via?: TmdbMatch;
}

/** The most-credited cast members, in billing order. */
function topCast(details: TmdbShowDetails) {
  return [...(details.aggregate_credits?.cast ?? [])]
    .sort((a, b) => b.total_episode_count - a.total_episode_count || b.popularity - a.popularity || a.id - b.id)
    .slice(0, CAST_LIMIT);
}

/** Stores TMDB's details and cast on a show row (also how the catalog crawler warms a show it knows by TMDB id). */
export async function storeDetails(db: Db, showId: number, details: TmdbShowDetails): Promise<void> {
  await storeDetailsBatch(db, [{ showId, details }]);
}

/**
 * Stores several shows in one transaction: a row update per show, then genres, actors and cast for
 * all of them in one statement each (a chunk's writes were eight statements per show).
 */
export async function storeDetailsBatch(db: Db, batch: readonly ShowDetails[]): Promise<void> {
  if (batch.length === 0) return;
  const showIds = batch.map((b) => b.showId);
  const genres = batch.flatMap(({ showId, details }) => [...new Set((details.genres ?? []).map((g) => g.name))].map((genre) => ({ show_id: showId, genre })));
  const casts = batch.map(({ showId, details }) => ({ showId, cast: topCast(details) }));
  // One row per actor (shows share actors; the last one read wins, as the one-by-one upserts did),
  // sorted by id: chunks sharing actors, stored concurrently, lock actor rows in one order.
  const actors = new Map(casts.flatMap(({ cast }) => cast.map((c) => [c.id, { id: c.id, name: c.name, popularity: c.popularity ?? 0, profile_path: c.profile_path ?? null }] as const)));
  const castRows = casts.flatMap(({ showId, cast }) =>
    cast.map((c, order) => {
      const role = [...(c.roles ?? [])].sort((a, b) => b.episode_count - a.episode_count)[0];
      return { show_id: showId, actor_id: c.id, character: role?.character ?? '', episode_count: c.total_episode_count ?? 0, billing_order: order };
    }),
  );
  await db.transaction().execute(async (trx) => {
    // One statement for the batch's rows (one per show was a fifth of a session's queries), locking
    // them in id order, like the actors: two sessions storing shows they share lock them in one order.
    const checkedAt = new Date().toISOString();
    const rows = [...batch].sort((a, b) => a.showId - b.showId);
    const values = sql.join(
      rows.map(
        ({ showId, details: d, via }) =>
          // An empty TMDB name keeps the row's (TMDB's canonical spelling, "Élite", not Netflix's
          // "Elite (U.S.)", whenever it has one; the key stays Netflix's).
          sql`(${showId}::int, ${d.id}::int, ${via}::text, ${d.name || null}::text, ${d.original_name || null}::text, ${d.first_air_date || null}::text,
            ${d.number_of_episodes ?? null}::int, ${d.number_of_seasons ?? null}::int, ${d.overview ?? null}::text, ${d.poster_path ?? null}::text, ${d.popularity ?? null}::float8)`,
      ),
    );
    await sql`
      with v (id, tmdb_id, via, name, original_name, first_air_date, episodes, seasons, overview, poster_path, popularity) as (values ${values}),
      locked as (select id from shows where id = any(${rows.map((r) => r.showId)}::int[]) order by id for update)
      update shows set tmdb_status = 'matched', tmdb_id = v.tmdb_id, tmdb_match = v.via, name = coalesce(v.name, shows.name),
        original_name = v.original_name, tmdb_checked_at = ${checkedAt}::timestamptz, tmdb_error = null, first_air_date = v.first_air_date,
        number_of_episodes = v.episodes, number_of_seasons = v.seasons, overview = v.overview, poster_path = v.poster_path, popularity = v.popularity
      from v where shows.id = v.id and shows.id = any(array(select id from locked))`.execute(trx);
    // Genres and cast are replaced whole, so a refresh or a retry leaves exactly TMDB's current list.
    await trx.deleteFrom('show_genres').where('show_id', 'in', showIds).execute();
    if (genres.length > 0) await trx.insertInto('show_genres').values(genres).execute();
    await trx.deleteFrom('show_cast').where('show_id', 'in', showIds).execute();
    if (actors.size > 0) {
      await trx
        .insertInto('actors')
        .values([...actors.values()].sort((a, b) => a.id - b.id))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ name: sql`excluded.name`, popularity: sql`excluded.popularity`, profile_path: sql`excluded.profile_path` }),
        )
        .execute();
    }
    if (castRows.length > 0) await trx.insertInto('show_cast').values(castRows).execute();
    // TMDB's IMDb id for the show, so the crawl can ask Wikidata by it too; an id Gandalf sent stays.
    const imdbIds = batch.flatMap(({ showId, details }) => {
      const value = details.external_ids?.imdb_id?.trim() ?? '';
      return isWellFormedId('IMDB', value) ? [{ show_id: showId, identifier_type: 'IMDB' as const, value }] : [];
    });
    if (imdbIds.length > 0) {
      await trx
        .insertInto('show_identifiers')
        .values(imdbIds)
        .onConflict((oc) => oc.columns(['show_id', 'identifier_type']).doNothing())
        .execute();
    }
  });
}

/** Matched shows are stored this many at a time: one transaction for several shows. */
const STORE_BATCH = 10;

type ShowRow = Selectable<ShowsTable>;
type WatchedYears = { first: number; last: number } | null;
/** A show's Gandalf ids by type. */
type ShowIds = Map<string, string>;

/** The ids /find is asked for, best first: IMDb ids are the ones TMDB and Wikidata know best. */
const FIND_BY: readonly { type: 'IMDB' | 'TVDB'; source: TmdbExternalSource; via: TmdbMatch }[] = [
  { type: 'IMDB', source: 'imdb_id', via: 'imdb' },
  { type: 'TVDB', source: 'tvdb_id', via: 'tvdb' },
];

export function createShowDataActivities({ db, tmdb, caller, concurrency = 6, claims }: ShowDataDeps) {
  const lanes = createFairLanes(concurrency);
  /** The chunk's show rows, and the years this session watched each, in two queries. */
  async function loadChunk(sessionId: string, showIds: readonly number[]) {
    if (showIds.length === 0) return { shows: new Map<number, ShowRow>(), years: new Map<number, WatchedYears>(), ids: new Map<number, ShowIds>() };
    const rows = await db.selectFrom('shows').selectAll().where('id', 'in', showIds).execute();
    const idRows = await db.selectFrom('show_identifiers').selectAll().where('show_id', 'in', showIds).execute();
    const ids = new Map<number, ShowIds>();
    for (const r of idRows) ids.set(r.show_id, (ids.get(r.show_id) ?? new Map()).set(r.identifier_type, r.value));
    const watched = await db
      .selectFrom('episodes')
      .select(['show_id', sql<string | null>`min(first_watched_on)`.as('first'), sql<string | null>`max(last_watched_on)`.as('last')])
      .where('session_id', '=', sessionId)
      .where('show_id', 'in', showIds)
      .groupBy('show_id')
      .execute();
    const years = new Map<number, WatchedYears>(
      watched.map((w) => [w.show_id as number, w.first && w.last ? { first: Number(w.first.slice(0, 4)), last: Number(w.last.slice(0, 4)) } : null]),
    );
    return { shows: new Map(rows.map((r) => [r.id, r])), years, ids };
  }

  /**
   * Finds the show on TMDB: by an id Gandalf sent (/find), else by searching its name and picking the
   * match. Its details and how it was found to store, or the show's outcome.
   */
  async function lookUp(show: ShowRow, ids: ShowIds | undefined, watchedYears: WatchedYears, signal: AbortSignal): Promise<Omit<ShowDetails, 'showId'> | 'not_found'> {
    for (const { type, source, via } of FIND_BY) {
      const value = ids?.get(type);
      if (!value) continue;
      const tmdbId = await caller.call('tmdb', () => tmdb.findTvId(value, source, signal), signal);
      const details = tmdbId === null ? null : await caller.call('tmdb', () => tmdb.tvDetails(tmdbId, signal), signal);
      if (details) return { details, via };
    }
    const results = await caller.call('tmdb', () => tmdb.searchTv(show.name, signal), signal);
    // The region the Netflix title's tag named ("Big Brother (U.S.)" → US) picks between same-named shows.
    const match = pickTmdbMatch(show.name, watchedYears, results, show.region);
    const details = match ? await caller.call('tmdb', () => tmdb.tvDetails(match.id, signal), signal) : null;
    if (details) return { details, via: 'name' };
    await db.updateTable('shows').set({ tmdb_status: 'not_found', tmdb_checked_at: new Date(), tmdb_error: null }).where('id', '=', show.id).execute();
    return 'not_found';
  }

  /** A show that failed: retried with the chunk, or written off (dead-lettered) on its last attempt. */
  async function failed(showIds: number[], sessionId: string, error: unknown, lastAttempt: boolean): Promise<ShowOutcome> {
    if (error instanceof PermanentServiceError) throw error; // session-wide: a wrong key fails every show
    if (!lastAttempt) return error as Error;
    const attempts = (error as { attempts?: number }).attempts ?? 1;
    await writeOffShows(db, { sessionId, stage: 'showData', showIds, reason: (error as Error).message, attempts });
    return 'failed';
  }

  return {
    async enrichShows(input: ShowsInput): Promise<ChunkOutcome> {
      return classified(async () => {
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        const lastAttempt = isLastChunkAttempt(ctx.info, input.retry);
        const resumed = (ctx.info.heartbeatDetails as EnrichProgress | undefined)?.finished;
        const finished = Array.isArray(resumed) ? resumed : []; // earlier releases heartbeated a count
        const outcomes = new Map<number, ShowOutcome>(finished);
        const beat = () => ctx.heartbeat({ finished } satisfies EnrichProgress);
        const settle = (showId: number, outcome: ShowOutcome) => {
          outcomes.set(showId, outcome);
          if (outcome instanceof Error) return;
          finished.push([showId, outcome]);
          outcomesStored('tmdb', [showId]); // a session in this worker waiting for it looks at once
        };
        const todo = input.showIds.filter((id) => !outcomes.has(id));
        const { shows, years, ids } = await loadChunk(input.sessionId, todo);

        // A matched show counts as finished (heartbeat) only once its batch is stored.
        const unstored: ShowDetails[] = [];
        const writes: Promise<void>[] = [];
        const store = () => {
          const batch = unstored.splice(0);
          if (batch.length === 0) return;
          const ids = batch.map((b) => b.showId);
          writes.push(
            storeDetailsBatch(db, batch).then(
              () => ids.forEach((id) => settle(id, 'matched')),
              async (error: unknown) => {
                const outcome = await failed(ids, input.sessionId, error, lastAttempt);
                ids.forEach((id) => settle(id, outcome));
              },
            ).then(beat),
          );
          // Awaited below; marked handled now, since a failing lookup may end the chunk before that.
          writes.at(-1)!.catch(() => undefined);
        };
        // Alive while requests wait (an operator's hold on TMDB, a long limiter queue): no attempt lost.
        const alive = setInterval(beat, KEEP_ALIVE_MS);
        try {
          const needed: number[] = [];
          for (const showId of todo) {
            const show = shows.get(showId);
            if (!show) throw new Error(`show ${showId} of this chunk has no row`);
            if (outcomeStands(show.tmdb_status, show.tmdb_checked_at, input.showCacheTtlMs)) settle(showId, show.tmdb_status as 'matched' | 'not_found');
            else needed.push(showId);
          }
          // Shows another session is looking up right now are waited for, not asked for again.
          const fromOthers = await singleFlight(
            db,
            'tmdb',
            needed,
            async (claimed) => {
              // Every claimed show waits in the lanes (they bound what runs), where a session waiting for it can lend it its turn.
              await Promise.all(
                claimed.map((showId) =>
                  lanes.run(
                    async () => {
                      try {
                        const found = await lookUp(shows.get(showId)!, ids.get(showId), years.get(showId) ?? null, signal);
                        if (found !== 'not_found') {
                          showsIdentified.inc({ method: found.via });
                          unstored.push({ showId, ...found });
                          // A show another session waits for is stored at once: its batch would wait for ours.
                          if (unstored.length >= STORE_BATCH || lanes.isWanted(showId)) store();
                          return;
                        }
                        settle(showId, found);
                      } catch (error) {
                        settle(showId, await failed([showId], input.sessionId, error, lastAttempt));
                      }
                      beat();
                    },
                    signal,
                    showId,
                  ),
                ),
              );
              store();
              await Promise.all(writes.splice(0));
            },
            { holder: claimHolder('tmdb', input.sessionId), ...claims, signal, whileWaiting: (showIds) => lanes.lendTurn(showIds) },
          );
          for (const [showId, outcome] of fromOthers) settle(showId, outcome);
          if (fromOthers.size > 0) beat();
        } finally {
          clearInterval(alive);
        }
        const ordered = input.showIds.map((id) => outcomes.get(id)!);
        const retryable = ordered.filter((o): o is Error => o instanceof Error);
        if (retryable.length > 0) throw showsUnfinished('TMDB', retryable, input.showIds.length);
        return {
          done: ordered.length,
          failed: ordered.filter((o) => o === 'failed').length,
          matchedShowIds: input.showIds.filter((_, i) => ordered[i] === 'matched'),
        };
      });
    },
  };
}
