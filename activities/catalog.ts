// The catalog crawler's activities (workflows/catalog.ts): discovery and enrichment over the same
// clients, limiter and crawl as sessions, giving way to viewers' sessions (viewerYield.ts). Its RT
// crawl is the sessions' own, built over a caller whose holds include "a viewer is waiting", and
// with less concurrency: fewer requests in flight when a viewer arrives, the same rate limit.
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient } from '../src/clients/tmdb.js';
import type { Db } from '../src/db/index.js';
import type { ShowsInput } from '../src/contracts/index.js';
import { createCatalogDiscoveryActivities } from './catalogDiscovery.js';
import { createCatalogEnrichActivities } from './catalogEnrich.js';
import { createViewerYield, yieldingHolds } from './viewerYield.js';

export interface CatalogDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  /** The sessions' crawl activity (activities/crawl.ts) over the given caller and concurrency. */
  crawlWith: (caller: ServiceCaller, maxConcurrency: number) => { crawlShows: (input: ShowsInput) => Promise<{ done: number; failed: number }> };
}

/** RT shows one catalog chunk crawls at once, at most (a session's chunk: as many of the worker's RT lanes as its share gives it). */
const CATALOG_RT_CONCURRENCY = 2;

export function createCatalogActivities({ crawlWith, ...deps }: CatalogDeps) {
  const viewers = createViewerYield(deps.db);
  const politeCrawl = crawlWith({ ...deps.caller, holds: yieldingHolds(viewers, deps.caller.holds) }, CATALOG_RT_CONCURRENCY).crawlShows;
  const plainCrawl = crawlWith(deps.caller, CATALOG_RT_CONCURRENCY).crawlShows;
  return {
    ...createCatalogDiscoveryActivities({ ...deps, viewers }),
    // yieldMaxMs 0 means "never give way", in the RT crawl too.
    ...createCatalogEnrichActivities({ ...deps, viewers, crawlShows: (input) => ((input as { yieldMaxMs?: number }).yieldMaxMs === 0 ? plainCrawl : politeCrawl)(input) }),
  };
}
