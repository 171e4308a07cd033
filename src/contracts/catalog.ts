// The catalog crawler's contract (workflows/catalog.ts): what a crawl is given, what it carries
// from round to round through continue-as-new, what its progress query answers, and the ids of its
// workflows and schedule. A crawl warms the global show cache ahead of viewers, at low priority.
import { defineQuery } from '@temporalio/workflow';
import type { ChunkRetry } from './retry.js';

export interface CatalogCrawlSettings {
  /** Stop once this many shows were enriched by the crawl. */
  target: number;
  /** Stop after this many rounds. */
  rounds: number;
  /** Seeds a round explores (recommendations + similar of each): the next round's are the most popular shows this one warmed. */
  seedsPerRound: number;
  /** Candidates less popular than this (TMDB popularity) are not worth warming. */
  popularityFloor: number;
  /** Shows per enrichment chunk: small, so a viewer's session never waits long behind one. */
  chunkSize: number;
  /** Chunks in flight at once. */
  parallelChunks: number;
  /** As SHOW_CACHE_TTL: a show enriched within this is cached and fresh. */
  showCacheTtlMs: number;
  /** Automatic seeds: shows whose cache entry expires within this count as going stale. */
  staleWithinMs: number;
  /** Automatic seeds: the most-watched shows of sessions started within this. */
  recentSessionsMs: number;
  /** Before each request, a chunk waits (at most this long) while viewers' sessions are working; 0 never waits. */
  yieldMaxMs: number;
  /** Attempts of a chunk's activities (the last one records what still fails instead of retrying). */
  retry: ChunkRetry;
}

const DAY_MS = 24 * 3600 * 1000;

export const CATALOG_DEFAULTS: CatalogCrawlSettings = {
  target: 500,
  rounds: 3,
  seedsPerRound: 20,
  popularityFloor: 5,
  chunkSize: 10,
  parallelChunks: 1,
  showCacheTtlMs: 7 * DAY_MS,
  staleWithinMs: DAY_MS,
  recentSessionsMs: 30 * DAY_MS,
  yieldMaxMs: 5 * 60_000,
  retry: { maximumAttempts: 5, initialIntervalMs: 2_000 },
};


export interface CatalogCrawlInput {
  /** Names the crawl in the API and the Web UI; the workflow id without its prefix when absent (scheduled runs). */
  crawlId?: string;
  /** TMDB TV ids to start from; absent or empty: the most-watched shows of recent sessions. */
  seeds?: number[];
  settings?: Partial<CatalogCrawlSettings>;
  /** Where the crawl stands, carried through continue-as-new (never set by a caller). */
  carried?: CatalogCrawlCarried;
}

export interface CatalogCounts {
  /** Seeds explored so far. */
  seeds: number;
  /** Results recommendations and similar returned (repeats included). */
  discovered: number;
  /** Dropped: seen or queued earlier in this crawl, or already cached and fresh. */
  deduped: number;
  /** Dropped: below the popularity floor. */
  belowFloor: number;
  /** Queued for enrichment (seeds included). */
  queued: number;
  /** Found but not queued: past the round's share of the target. */
  overBudget: number;
  /** Enriched from TMDB (details and cast) by this crawl. */
  enriched: number;
  /** Not warmed: a name several TMDB shows share (only a viewer's watch dates can tell them apart), or gone from TMDB. */
  skipped: number;
  /** Failed on their chunk's last attempt: candidates on TMDB, shows on RT. A session that needs them looks them up itself. */
  failed: number;
}

export const emptyCatalogCounts = (): CatalogCounts => ({ seeds: 0, discovered: 0, deduped: 0, belowFloor: 0, queued: 0, overBudget: 0, enriched: 0, skipped: 0, failed: 0 });

export interface CatalogCrawlCarried {
  round: number;
  /** The round's chunks, once its discovery ran; the next one to enrich. */
  chunks: number | null;
  nextChunk: number;
  counts: CatalogCounts;
  runs: number;
}

export type CatalogStop = 'target' | 'rounds' | 'exhausted' | 'no-seeds';

export interface CatalogCrawlProgress extends CatalogCounts {
  crawlId: string;
  round: number;
  rounds: number;
  target: number;
  phase: 'seeding' | 'discovering' | 'enriching' | 'finished';
  chunks: { done: number; total: number };
  stoppedBecause: CatalogStop | null;
  runs: number;
}

export type CatalogCrawlOutcome = CatalogCrawlProgress;

export const catalogProgressQuery = defineQuery<CatalogCrawlProgress>('progress');

const WORKFLOW_PREFIX = 'catalog-crawl-';
export const catalogCrawlWorkflowId = (crawlId: string) => `${WORKFLOW_PREFIX}${crawlId}`;
export const crawlIdOfWorkflowId = (workflowId: string) => (workflowId.startsWith(WORKFLOW_PREFIX) ? workflowId.slice(WORKFLOW_PREFIX.length) : workflowId);
/** Crawl ids as the API and the CLI accept them (a scheduled run's id carries its time stamp). */
export const CATALOG_CRAWL_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,80}$/;
export const CATALOG_SCHEDULE_ID = 'showprint-catalog-crawl';
/** Scheduled runs start as this id plus the time they were due. */
export const CATALOG_SCHEDULED_WORKFLOW_ID = catalogCrawlWorkflowId('scheduled');

/**
 * The chunk "owner" a crawl hands the session's crawl activity in place of a session id: a colon no
 * session id may contain, so its failures mark the show rows but never land in a session's dead letters.
 */
export const catalogChunkOwner = (crawlId: string) => `catalog:${crawlId}`;
export const isCatalogChunkOwner = (sessionId: string) => sessionId.startsWith('catalog:');
