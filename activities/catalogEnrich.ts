// Warms one chunk of a catalog crawl's candidates with what a session would have stored, so a
// later viewer's session finds them cached and asks TMDB and RT nothing:
//   - a TMDB id some show row already holds (a session matched it): its stale rows get fresh
//     details by id, with no search (the session's match stands);
//   - a new id: stored under the row key a Netflix title of that name gets (showIdentityKey), but
//     only when searching that name finds exactly this one show. When several TMDB shows share
//     the name, only a viewer's watch dates (or region tag) can pick, so it is left to the session.
// RT is then crawled with the sessions' own crawl activity (crawlCatalogShows). Progress lives on
// the candidate rows: a retried attempt picks up the rows still queued.
import { Context } from '@temporalio/activity';
import { PermanentServiceError } from '../src/clients/errors.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient, TmdbSearchResult, TmdbShowDetails } from '../src/clients/tmdb.js';
import { outcomeStands } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import type { CatalogCandidateStatus } from '../src/db/schema.js';
import { displayShowName, regionOf, showIdentityKey, showKey } from '../src/domain/names.js';
import { type ChunkRetry, type ShowsInput, isLastChunkAttempt } from '../src/contracts/index.js';
import { mapWithConcurrency } from './concurrency.js';
import { classified, showsUnfinished } from './failures.js';
import { storeDetails, storeDetailsBatch } from './showData.js';
import type { ViewerYield } from './viewerYield.js';

export interface EnrichCatalogChunkInput {
  crawlKey: string;
  round: number;
  chunk: number;
  showCacheTtlMs: number;
  yieldMaxMs: number;
  retry?: ChunkRetry;
}

export interface EnrichCatalogChunkResult {
  enriched: number;
  /** Found cached and fresh by the time their turn came (a session warmed them meanwhile). */
  deduped: number;
  skipped: number;
  failed: number;
  /** The show rows now holding these TMDB ids: what the RT crawl looks at next. */
  showIds: number[];
}

export interface CatalogCrawlChunkInput extends ShowsInput {
  yieldMaxMs: number;
}

export interface CatalogEnrichDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  viewers: ViewerYield;
  /** The sessions' RT crawl activity (activities/crawl.ts), run as it is. */
  crawlShows: (input: ShowsInput) => Promise<{ done: number; failed: number }>;
}

type Outcome = Extract<CatalogCandidateStatus, 'enriched' | 'cached' | 'skipped'>;

/** Shows of a chunk looked up at once: 2 keep TMDB's rate busy without a burst a viewer would feel. */
const LANES = 2;
/** Heartbeat period while requests wait (a viewer's session, a held service, a long limiter queue). */
const KEEP_ALIVE_MS = 20_000;

/** Whether a search for `name` finds exactly one show of that name, and it is `tmdbId`: then every viewer's session would pick it. */
function onlyMatch(name: string, results: readonly TmdbSearchResult[], tmdbId: number): boolean {
  const key = showKey(name);
  const exact = results.filter((r) => showKey(r.name) === key || showKey(r.original_name) === key);
  return exact.length === 1 && exact[0]!.id === tmdbId;
}

export function createCatalogEnrichActivities({ db, tmdb, caller, viewers, crawlShows }: CatalogEnrichDeps) {
  async function showRowFor(name: string): Promise<number> {
    const key = showIdentityKey(name);
    await db
      .insertInto('shows')
      .values({ name_key: key, name: displayShowName(name), region: regionOf(name) })
      .onConflict((oc) => oc.column('name_key').doNothing())
      .execute();
    return (await db.selectFrom('shows').select('id').where('name_key', '=', key).executeTakeFirstOrThrow()).id;
  }

  async function warm(tmdbId: number, knownName: string | null, ttlMs: number, ask: <T>(fn: () => Promise<T>) => Promise<T>, signal: AbortSignal): Promise<Outcome> {
    const held = await db.selectFrom('shows').select(['id', 'tmdb_status', 'tmdb_checked_at']).where('tmdb_id', '=', tmdbId).execute();
    if (held.length > 0) {
      const stale = held.filter((s) => !outcomeStands(s.tmdb_status, s.tmdb_checked_at, ttlMs));
      if (stale.length === 0) return 'cached';
      const details = await ask(() => tmdb.tvDetails(tmdbId, signal));
      if (!details) return 'skipped';
      await storeDetailsBatch(db, stale.map((s) => ({ showId: s.id, details })));
      return 'enriched';
    }
    // A seed comes without a name: its details tell it (and are kept for storing).
    let details: TmdbShowDetails | null = null;
    if (!knownName) {
      details = await ask(() => tmdb.tvDetails(tmdbId, signal));
      if (!details) return 'skipped';
    }
    const name = knownName ?? details!.name;
    const existing = await db.selectFrom('shows').select(['tmdb_status', 'tmdb_checked_at']).where('name_key', '=', showIdentityKey(name)).executeTakeFirst();
    if (existing && outcomeStands(existing.tmdb_status, existing.tmdb_checked_at, ttlMs)) return 'cached';
    const results = await ask(() => tmdb.searchTv(displayShowName(name), signal));
    if (!onlyMatch(name, results, tmdbId)) return 'skipped';
    details ??= await ask(() => tmdb.tvDetails(tmdbId, signal));
    if (!details) return 'skipped';
    await storeDetails(db, await showRowFor(name), details);
    return 'enriched';
  }

  async function summary(input: EnrichCatalogChunkInput): Promise<EnrichCatalogChunkResult> {
    const rows = await db
      .selectFrom('catalog_candidates')
      .select(['tmdb_id', 'status'])
      .where('crawl_key', '=', input.crawlKey)
      .where('round', '=', input.round)
      .where('chunk', '=', input.chunk)
      .execute();
    const count = (status: CatalogCandidateStatus) => rows.filter((r) => r.status === status).length;
    const warmed = rows.filter((r) => r.status === 'enriched' || r.status === 'cached').map((r) => r.tmdb_id);
    const shows = warmed.length ? await db.selectFrom('shows').select('id').where('tmdb_id', 'in', warmed).orderBy('id').execute() : [];
    return { enriched: count('enriched'), deduped: count('cached'), skipped: count('skipped'), failed: count('failed'), showIds: shows.map((s) => s.id) };
  }

  return {
    async enrichCatalogChunk(input: EnrichCatalogChunkInput): Promise<EnrichCatalogChunkResult> {
      return classified(async () => {
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        const lastAttempt = isLastChunkAttempt(ctx.info, input.retry);
        const beat = () => ctx.heartbeat();
        const ask = async <T>(fn: () => Promise<T>) => {
          await viewers.giveWay(input.yieldMaxMs, signal, beat);
          return caller.call('tmdb', fn, signal);
        };
        const queued = await db
          .selectFrom('catalog_candidates')
          .select(['tmdb_id', 'name'])
          .where('crawl_key', '=', input.crawlKey)
          .where('round', '=', input.round)
          .where('chunk', '=', input.chunk)
          .where('status', '=', 'queued')
          .orderBy('tmdb_id')
          .execute();
        const mark = (tmdbId: number, status: CatalogCandidateStatus, error: string | null = null) =>
          db.updateTable('catalog_candidates').set({ status, error }).where('crawl_key', '=', input.crawlKey).where('tmdb_id', '=', tmdbId).execute();
        const alive = setInterval(beat, KEEP_ALIVE_MS);
        const retryLater: Error[] = [];
        try {
          await mapWithConcurrency(queued, LANES, async (row) => {
            try {
              await mark(row.tmdb_id, await warm(row.tmdb_id, row.name, input.showCacheTtlMs, ask, signal));
            } catch (error) {
              if (error instanceof PermanentServiceError || signal.aborted) throw error;
              // Before the last attempt a show that failed fails the attempt, and Temporal retries it.
              if (!lastAttempt) return void retryLater.push(error as Error);
              await mark(row.tmdb_id, 'failed', (error as Error).message.slice(0, 500));
            }
            beat();
          });
        } finally {
          clearInterval(alive);
        }
        if (retryLater.length > 0) throw showsUnfinished('TMDB', retryLater, queued.length);
        return summary(input);
      });
    },

    /** The chunk's activity ran out of attempts: what it left queued is failed. */
    async writeOffCatalogChunk(input: { crawlKey: string; round: number; chunk: number; reason: string }): Promise<number> {
      const result = await db
        .updateTable('catalog_candidates')
        .set({ status: 'failed', error: input.reason.slice(0, 500) })
        .where('crawl_key', '=', input.crawlKey)
        .where('round', '=', input.round)
        .where('chunk', '=', input.chunk)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The sessions' RT crawl, once viewers' sessions leave room for it. */
    async crawlCatalogShows(input: CatalogCrawlChunkInput): Promise<{ done: number; failed: number }> {
      const ctx = Context.current();
      // Keep whatever the crawl itself heartbeated last: its retry resumes from those details.
      await viewers.giveWay(input.yieldMaxMs, ctx.cancellationSignal, () => ctx.heartbeat(ctx.info.heartbeatDetails));
      return crawlShows(input);
    },
  };
}
