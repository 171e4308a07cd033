// The catalog crawler in the bench: pre-warming a viewer's shows before the clock starts (a viewer
// pre-warmed, beside the same viewer cold), or a crawl running beside an interactive session (how
// much a concurrent pre-warm delays the viewer's first report). Crawls start as the API starts them.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';
import { type CatalogCrawlOutcome, type CatalogCrawlProgress, type CatalogCrawlSettings, catalogProgressQuery } from '../src/contracts/index.js';
import { showIdentityKey } from '../src/domain/names.js';
import { startCatalogCrawl } from '../src/temporal/catalogCrawls.js';
import type { Catalog } from '../standins/index.js';
import { round } from './numbers.js';
import { say, sleep } from './infra.js';

export interface CatalogMeasure {
  kind: 'prewarmed' | 'concurrent';
  /** The crawl as the clock started (concurrent), or as it ended (prewarmed). */
  atStart: CatalogCrawlProgress;
  /** Prewarmed: how long the crawl took, before the clock. */
  crawlSeconds?: number;
  /** Concurrent: the crawl when the session(s) completed, and what it warmed meanwhile. */
  atEnd?: CatalogCrawlProgress;
  enrichedDuringSessions?: number;
  /** The viewer's shows TMDB has, and those warm (cached under their Netflix title's key) at the start. */
  viewerTmdbShows: number;
  warmAtStart: number;
}

/** Shows of the viewer TMDB has (not decoys): what a crawl could warm. */
export const tmdbShowsOf = (catalog: Catalog, ids: Iterable<number>) => [...ids].filter((id) => catalog.showById.get(id)?.onTmdb && catalog.showById.get(id)?.decoyOf === undefined);

/** Catalog ids among `ids` whose Netflix title's row is cached and fresh at both stages. */
export async function warmShows(pool: pg.Pool, catalog: Catalog, ids: number[]): Promise<Set<number>> {
  const keys = new Map(ids.map((id) => [showIdentityKey(catalog.showById.get(id)!.netflixName), id]));
  const { rows } = await pool.query<{ name_key: string; tmdb_id: number | null }>(
    `select name_key, tmdb_id from shows where name_key = any($1::text[]) and tmdb_status = 'matched' and tmdb_checked_at is not null
       and rt_status in ('matched', 'not_found') and rt_checked_at is not null`,
    [[...keys.keys()]],
  );
  return new Set(rows.flatMap((r) => (r.tmdb_id === keys.get(r.name_key) ? [r.tmdb_id!] : [])));
}

const common = (showCacheTtlMs: number): Partial<CatalogCrawlSettings> => ({ showCacheTtlMs, popularityFloor: 0 });

/** Warms the viewer's shows (seeded with them, one round) and waits for the crawl to end. */
export async function prewarm(client: Client, taskQueue: string, seeds: number[], showCacheTtlMs: number): Promise<{ outcome: CatalogCrawlOutcome; seconds: number }> {
  const started = Date.now();
  const { workflowId } = await startCatalogCrawl(client, {
    taskQueue,
    crawlId: `bench-prewarm-${taskQueue}`,
    seeds,
    settings: { ...common(showCacheTtlMs), target: seeds.length, rounds: 1, chunkSize: 25, parallelChunks: 4, yieldMaxMs: 0 },
  });
  const outcome = (await client.workflow.getHandle(workflowId).result()) as CatalogCrawlOutcome;
  return { outcome, seconds: round((Date.now() - started) / 1000) };
}

/** A big crawl from popular shows the viewer did not watch, in full swing before the session starts. */
export async function startBusyCrawl(client: Client, taskQueue: string, catalog: Catalog, exclude: Set<number>, showCacheTtlMs: number): Promise<WorkflowHandle> {
  const seeds = catalog.shows
    .filter((s) => s.onTmdb && s.decoyOf === undefined && !exclude.has(s.id))
    .sort((a, b) => b.popularity - a.popularity || a.id - b.id)
    .slice(0, 20)
    .map((s) => s.id);
  const { workflowId } = await startCatalogCrawl(client, {
    taskQueue,
    crawlId: `bench-busy-${taskQueue}`,
    seeds,
    settings: { ...common(showCacheTtlMs), target: 5_000, rounds: 5, seedsPerRound: 20 },
  });
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const p = await handle.query(catalogProgressQuery).catch(() => undefined);
    // Past discovery and warming shows, then a while longer: the viewer arrives at a steady state,
    // not at the burst of work that follows the threshold (RT crawlers starting up).
    if (p && p.enriched >= 20) {
      await sleep(5_000);
      return handle;
    }
    if (Date.now() > deadline) throw new Error(`the busy crawl did not get going: ${JSON.stringify(p)}`);
    await sleep(250);
  }
}

export async function stopBusyCrawl(handle: WorkflowHandle): Promise<void> {
  await handle.terminate('bench: the session it ran beside is done').catch((error: unknown) => say(`could not stop the busy crawl: ${(error as Error).message}`));
}
