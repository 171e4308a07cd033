// The catalog crawler's discovery (workflows/catalog.ts): choosing seeds, exploring a round's seeds
// through TMDB's recommendations and similar lists, and deciding what of it to warm. What a crawl
// has seen lives in `catalog_candidates` under the crawl's key, so dedup holds across rounds,
// continue-as-new, retries and worker restarts while the workflow's history carries only counts.
// Every write is idempotent: a retried attempt finds the rows its predecessor wrote and reaches
// the same statuses and counts.
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient, TmdbSearchResult } from '../src/clients/tmdb.js';
import { outcomeStands } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { showIdentityKey } from '../src/domain/names.js';
import { mapWithConcurrency } from './concurrency.js';
import { classified } from './failures.js';
import type { ViewerYield } from './viewerYield.js';
import type { CatalogCounts } from '../src/contracts/index.js';

export interface PickSeedsInput {
  limit: number;
  recentSessionsMs: number;
  showCacheTtlMs: number;
  staleWithinMs: number;
}

export interface DiscoverRoundInput {
  crawlKey: string;
  round: number;
  /** Round 1's seeds; later rounds explore the most popular shows the round before warmed. */
  seeds?: number[];
  seedsPerRound: number;
  popularityFloor: number;
  showCacheTtlMs: number;
  /** Candidates this round may queue (seeds are queued on top of it). */
  budget: number;
  chunkSize: number;
  yieldMaxMs: number;
}

/** A round's share of the crawl's counts, and the chunks it queued. */
export interface DiscoverRoundResult extends Pick<CatalogCounts, 'seeds' | 'discovered' | 'deduped' | 'belowFloor' | 'queued' | 'overBudget'> {
  chunks: number;
}

export interface CatalogDiscoveryDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  viewers: ViewerYield;
}

/** Seeds explored at once; the shared limiter sets the actual pace. */
const LANES = 4;
/** Rows of crawls that never finished (terminated) go after this. */
const LEFTOVER_MS = 7 * 24 * 3600 * 1000;

export function createCatalogDiscoveryActivities({ db, tmdb, caller, viewers }: CatalogDiscoveryDeps) {
  /** TMDB ids (and names) with nothing to warm: every row holding them is fresh at both stages, or their name already resolved. */
  async function cachedIds(candidates: { id: number; name: string | null }[], ttlMs: number): Promise<Set<number>> {
    const cached = new Set<number>();
    if (candidates.length === 0) return cached;
    const held = await db
      .selectFrom('shows')
      .select(['tmdb_id', 'tmdb_status', 'tmdb_checked_at', 'rt_status', 'rt_checked_at'])
      .where('tmdb_id', 'in', candidates.map((c) => c.id))
      .execute();
    const stale = new Set<number>();
    for (const s of held) {
      const fresh = outcomeStands(s.tmdb_status, s.tmdb_checked_at, ttlMs) && outcomeStands(s.rt_status, s.rt_checked_at, ttlMs);
      (fresh ? cached : stale).add(s.tmdb_id!);
    }
    for (const id of stale) cached.delete(id);
    const keyed = new Map(candidates.flatMap((c) => (c.name ? [[showIdentityKey(c.name), c.id] as const] : [])));
    if (keyed.size > 0) {
      const named = await db.selectFrom('shows').select(['name_key', 'tmdb_status', 'tmdb_checked_at']).where('name_key', 'in', [...keyed.keys()]).execute();
      for (const s of named) if (outcomeStands(s.tmdb_status, s.tmdb_checked_at, ttlMs)) cached.add(keyed.get(s.name_key)!);
    }
    return cached;
  }

  /** Queues seeds and the most popular new candidates up to the budget, in chunks; the rest wait as spares. */
  async function rankRound(crawlKey: string, round: number, budget: number, chunkSize: number): Promise<void> {
    await sql`
      with ranked as (
        select tmdb_id, is_seed, row_number() over (partition by is_seed order by popularity desc nulls last, tmdb_id) as rank
        from catalog_candidates
        where crawl_key = ${crawlKey} and round = ${round} and status in ('new', 'queued', 'spare'))
      update catalog_candidates c
      set status = case when ranked.is_seed or ranked.rank <= ${budget} then 'queued' else 'spare' end
      from ranked
      where c.crawl_key = ${crawlKey} and c.tmdb_id = ranked.tmdb_id`.execute(db);
    await sql`
      with ordered as (
        select tmdb_id, row_number() over (order by is_seed desc, popularity desc nulls last, tmdb_id) - 1 as position
        from catalog_candidates
        where crawl_key = ${crawlKey} and round = ${round} and status = 'queued')
      update catalog_candidates c
      set chunk = ordered.position / ${chunkSize}
      from ordered
      where c.crawl_key = ${crawlKey} and c.tmdb_id = ordered.tmdb_id`.execute(db);
  }

  async function roundSeeds(input: DiscoverRoundInput): Promise<number[]> {
    if (input.round === 1) {
      const seeds = [...new Set(input.seeds ?? [])];
      if (seeds.length === 0) return [];
      const cached = await cachedIds(seeds.map((id) => ({ id, name: null })), input.showCacheTtlMs);
      await db
        .insertInto('catalog_candidates')
        .values(seeds.map((id) => ({ crawl_key: input.crawlKey, tmdb_id: id, round: 1, is_seed: true, status: cached.has(id) ? ('cached' as const) : ('new' as const) })))
        .onConflict((oc) => oc.columns(['crawl_key', 'tmdb_id']).doNothing())
        .execute();
      return seeds;
    }
    const rows = await db
      .selectFrom('catalog_candidates')
      .select('tmdb_id')
      .where('crawl_key', '=', input.crawlKey)
      .where('round', '=', input.round - 1)
      .where('is_seed', '=', false) // explored already
      .where('status', 'in', ['enriched', 'cached'])
      .orderBy(sql`popularity desc nulls last`)
      .orderBy('tmdb_id')
      .limit(input.seedsPerRound)
      .execute();
    return rows.map((r) => r.tmdb_id);
  }

  return {
    /** The most-watched shows of recent sessions, those going stale first: the crawl's seeds when none are given. */
    async pickCatalogSeeds(input: PickSeedsInput): Promise<number[]> {
      const staleBefore = new Date(Date.now() - Math.max(0, input.showCacheTtlMs - input.staleWithinMs));
      const rows = await db
        .selectFrom('episodes as e')
        .innerJoin('sessions as se', 'se.id', 'e.session_id')
        .innerJoin('shows as s', 's.id', 'e.show_id')
        .select([
          's.tmdb_id',
          sql<boolean>`bool_or(s.tmdb_checked_at is null or s.tmdb_checked_at < ${staleBefore} or s.rt_checked_at is null or s.rt_checked_at < ${staleBefore})`.as('stale'),
          sql<number>`count(distinct e.session_id)`.as('viewers'),
          sql<number>`count(*)`.as('episodes'),
        ])
        .where('se.created_at', '>', new Date(Date.now() - input.recentSessionsMs))
        .where('s.tmdb_id', 'is not', null)
        .groupBy('s.tmdb_id')
        .orderBy(sql`bool_or(s.tmdb_checked_at is null or s.tmdb_checked_at < ${staleBefore} or s.rt_checked_at is null or s.rt_checked_at < ${staleBefore})`, 'desc')
        .orderBy(sql`count(distinct e.session_id)`, 'desc')
        .orderBy(sql`count(*)`, 'desc')
        .orderBy('s.tmdb_id')
        .limit(input.limit)
        .execute();
      return rows.map((r) => r.tmdb_id!);
    },

    async discoverCatalogRound(input: DiscoverRoundInput): Promise<DiscoverRoundResult> {
      return classified(async () => {
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        const beat = () => ctx.heartbeat();
        const seeds = await roundSeeds(input);
        const lists = await mapWithConcurrency(
          seeds.flatMap((id) => [{ id, kind: 'recommendations' as const }, { id, kind: 'similar' as const }]),
          LANES,
          async ({ id, kind }) => {
            await viewers.giveWay(input.yieldMaxMs, signal, beat);
            const page = await caller.call('tmdb', () => (kind === 'recommendations' ? tmdb.tvRecommendations(id, 1, signal) : tmdb.tvSimilar(id, 1, signal)), signal);
            beat();
            return page?.results ?? [];
          },
        );
        const results = lists.flat();
        const distinct = new Map<number, TmdbSearchResult>();
        for (const r of results) if (!distinct.has(r.id)) distinct.set(r.id, r);
        const candidates = [...distinct.values()];
        const cached = await cachedIds(candidates.map((c) => ({ id: c.id, name: c.name })), input.showCacheTtlMs);
        for (let i = 0; i < candidates.length; i += 500) {
          await db
            .insertInto('catalog_candidates')
            .values(
              candidates.slice(i, i + 500).map((c) => ({
                crawl_key: input.crawlKey,
                tmdb_id: c.id,
                round: input.round,
                name: c.name,
                popularity: c.popularity,
                status: c.popularity < input.popularityFloor ? ('below_floor' as const) : cached.has(c.id) ? ('cached' as const) : ('new' as const),
              })),
            )
            // Seen in an earlier round (or by this round's earlier attempt): left as it is.
            .onConflict((oc) => oc.columns(['crawl_key', 'tmdb_id']).doNothing())
            .execute();
        }
        await rankRound(input.crawlKey, input.round, input.budget, input.chunkSize);
        const counts = await db
          .selectFrom('catalog_candidates')
          .select(['status', 'is_seed', sql<number>`count(*)::int`.as('n'), sql<number | null>`max(chunk)`.as('last_chunk')])
          .where('crawl_key', '=', input.crawlKey)
          .where('round', '=', input.round)
          .groupBy(['status', 'is_seed'])
          .execute();
        const count = (status: string, seed?: boolean) => counts.filter((c) => c.status === status && (seed === undefined || c.is_seed === seed)).reduce((a, c) => a + Number(c.n), 0);
        const found = counts.filter((c) => !c.is_seed).reduce((a, c) => a + Number(c.n), 0);
        const lastChunk = counts.filter((c) => c.status === 'queued').reduce((a, c) => Math.max(a, c.last_chunk === null ? -1 : Number(c.last_chunk)), -1);
        return {
          seeds: seeds.length,
          discovered: results.length,
          // Repeats within the round, ids seen in earlier rounds, and shows already cached and fresh.
          deduped: results.length - found + count('cached', false),
          belowFloor: count('below_floor', false),
          queued: count('queued'),
          overBudget: count('spare'),
          chunks: lastChunk + 1,
        };
      });
    },

    /** A crawl's memory goes with it (and that of crawls that never finished, after a week). */
    async finishCatalogCrawl({ crawlKey }: { crawlKey: string }): Promise<number> {
      const mine = await db.deleteFrom('catalog_candidates').where('crawl_key', '=', crawlKey).executeTakeFirst();
      await db.deleteFrom('catalog_candidates').where('created_at', '<', new Date(Date.now() - LEFTOVER_MS)).execute();
      return Number(mine.numDeletedRows);
    },
  };
}
