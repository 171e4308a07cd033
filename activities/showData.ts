// Enriches one chunk of shows from TMDB: reuse what any session fetched within the cache TTL,
// otherwise search, pick the best match (not blindly the first result, and from the title's region
// when it had a tag) and store details and cast. TMDB answers that do not fit their schema are
// transient (TmdbBadResponse): retried with the chunk, dead-lettered with a sample on its last attempt.
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { PermanentServiceError } from '../src/clients/errors.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient, TmdbShowDetails } from '../src/clients/tmdb.js';
import { outcomeStands, writeOffShows } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { pickTmdbMatch } from '../src/domain/tmdbMatch.js';
import { type ChunkInput, type ChunkOutcome, isLastChunkAttempt } from '../src/contracts/index.js';
import { classified, showsUnfinished } from './failures.js';
import { mapWithConcurrency } from './concurrency.js';

export interface ShowDataDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  /** Shows of one chunk looked up at once; the shared limiter sets the actual pace. */
  concurrency?: number;
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

/** Stores TMDB's details and cast on a show row (also how the catalog crawler warms a show it knows by TMDB id). */
export async function storeDetails(db: Db, showId: number, details: TmdbShowDetails): Promise<void> {
  const cast = [...(details.aggregate_credits?.cast ?? [])]
    .sort((a, b) => b.total_episode_count - a.total_episode_count || b.popularity - a.popularity || a.id - b.id)
    .slice(0, CAST_LIMIT);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('shows')
      .set({
        tmdb_status: 'matched',
        tmdb_id: details.id,
        // TMDB's canonical spelling ("Élite", not Netflix's "Elite (U.S.)"); the key stays Netflix's.
        name: details.name || undefined,
        original_name: details.original_name || null,
        tmdb_checked_at: new Date(),
        tmdb_error: null,
        first_air_date: details.first_air_date || null,
        number_of_episodes: details.number_of_episodes ?? null,
        number_of_seasons: details.number_of_seasons ?? null,
        overview: details.overview ?? null,
        poster_path: details.poster_path ?? null,
        popularity: details.popularity ?? null,
      })
      .where('id', '=', showId)
      .execute();
    // Genres and cast are replaced whole, so a refresh or a retry leaves exactly TMDB's current list.
    await trx.deleteFrom('show_genres').where('show_id', '=', showId).execute();
    const genres = [...new Set((details.genres ?? []).map((g) => g.name))];
    if (genres.length > 0) await trx.insertInto('show_genres').values(genres.map((genre) => ({ show_id: showId, genre }))).execute();
    await trx.deleteFrom('show_cast').where('show_id', '=', showId).execute();
    if (cast.length > 0) {
      await trx
        .insertInto('actors')
        // Sorted by id: shows sharing actors, enriched concurrently, lock actor rows in one order.
        .values([...cast].sort((a, b) => a.id - b.id).map((c) => ({ id: c.id, name: c.name, popularity: c.popularity ?? 0, profile_path: c.profile_path ?? null })))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ name: sql`excluded.name`, popularity: sql`excluded.popularity`, profile_path: sql`excluded.profile_path` }),
        )
        .execute();
      await trx
        .insertInto('show_cast')
        .values(
          cast.map((c, order) => {
            const role = [...(c.roles ?? [])].sort((a, b) => b.episode_count - a.episode_count)[0];
            return { show_id: showId, actor_id: c.id, character: role?.character ?? '', episode_count: c.total_episode_count ?? 0, billing_order: order };
          }),
        )
        .execute();
    }
  });
}

export function createShowDataActivities({ db, tmdb, caller, concurrency = 6 }: ShowDataDeps) {
  async function enrichOne(showId: number, sessionId: string, cacheTtlMs: number, signal: AbortSignal, lastAttempt: boolean): Promise<ShowOutcome> {
    const show = await db.selectFrom('shows').selectAll().where('id', '=', showId).executeTakeFirstOrThrow();
    if (outcomeStands(show.tmdb_status, show.tmdb_checked_at, cacheTtlMs)) return show.tmdb_status as 'matched' | 'not_found';
    try {
      const years = await db
        .selectFrom('episodes')
        .select([sql<string | null>`min(first_watched_on)`.as('first'), sql<string | null>`max(last_watched_on)`.as('last')])
        .where('session_id', '=', sessionId)
        .where('show_id', '=', showId)
        .executeTakeFirst();
      const watchedYears = years?.first && years.last ? { first: Number(years.first.slice(0, 4)), last: Number(years.last.slice(0, 4)) } : null;
      const results = await caller.call('tmdb', () => tmdb.searchTv(show.name, signal), signal);
      // The region the Netflix title's tag named ("Big Brother (U.S.)" → US) picks between same-named shows.
      const match = pickTmdbMatch(show.name, watchedYears, results, show.region);
      const details = match ? await caller.call('tmdb', () => tmdb.tvDetails(match.id, signal), signal) : null;
      if (!details) {
        await db.updateTable('shows').set({ tmdb_status: 'not_found', tmdb_checked_at: new Date(), tmdb_error: null }).where('id', '=', showId).execute();
        return 'not_found';
      }
      await storeDetails(db, showId, details);
      return 'matched';
    } catch (error) {
      if (error instanceof PermanentServiceError) throw error; // session-wide: a wrong key fails every show
      if (!lastAttempt) return error as Error;
      const attempts = (error as { attempts?: number }).attempts ?? 1;
      await writeOffShows(db, { sessionId, stage: 'showData', showIds: [showId], reason: (error as Error).message, attempts });
      return 'failed';
    }
  }

  return {
    async enrichShows(input: ChunkInput): Promise<ChunkOutcome> {
      return classified(async () => {
        const ctx = Context.current();
        const lastAttempt = isLastChunkAttempt(ctx.info, input.retry);
        const resumed = (ctx.info.heartbeatDetails as EnrichProgress | undefined)?.finished;
        const finished = Array.isArray(resumed) ? resumed : []; // earlier releases heartbeated a count
        const earlier = new Map(finished);
        const beat = () => ctx.heartbeat({ finished } satisfies EnrichProgress);
        // Alive while requests wait (an operator's hold on TMDB, a long limiter queue): no attempt lost.
        const alive = setInterval(beat, KEEP_ALIVE_MS);
        const outcomes = await mapWithConcurrency(input.showIds, concurrency, async (showId) => {
          const known = earlier.get(showId);
          if (known) return known;
          const outcome = await enrichOne(showId, input.sessionId, input.showCacheTtlMs, ctx.cancellationSignal, lastAttempt);
          if (!(outcome instanceof Error)) finished.push([showId, outcome]);
          beat();
          return outcome;
        }).finally(() => clearInterval(alive));
        const retryable = outcomes.filter((o): o is Error => o instanceof Error);
        if (retryable.length > 0) throw showsUnfinished('TMDB', retryable, input.showIds.length);
        return {
          done: outcomes.length,
          failed: outcomes.filter((o) => o === 'failed').length,
          matchedShowIds: input.showIds.filter((_, i) => outcomes[i] === 'matched'),
        };
      });
    },
  };
}
