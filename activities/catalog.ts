// The catalog crawler's activities (workflows/catalog.ts): discovery and enrichment over the same
// clients, limiter and crawl as sessions, giving way to viewers' sessions (viewerYield.ts).
import type { ServiceCaller } from '../src/clients/retry.js';
import type { TmdbClient } from '../src/clients/tmdb.js';
import type { Db } from '../src/db/index.js';
import type { ChunkInput } from '../src/contracts/index.js';
import { createCatalogDiscoveryActivities } from './catalogDiscovery.js';
import { createCatalogEnrichActivities } from './catalogEnrich.js';
import { createViewerYield } from './viewerYield.js';

export interface CatalogDeps {
  db: Db;
  tmdb: TmdbClient;
  caller: ServiceCaller;
  crawlShows: (input: ChunkInput) => Promise<{ done: number; failed: number }>;
}

export function createCatalogActivities(deps: CatalogDeps) {
  const viewers = createViewerYield(deps.db);
  return {
    ...createCatalogDiscoveryActivities({ ...deps, viewers }),
    ...createCatalogEnrichActivities({ ...deps, viewers }),
  };
}
