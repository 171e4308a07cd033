// All activities, built by one factory over their dependencies (samples-typescript style).
// Workflows proxy them with `proxyActivities<Activities>()`.
import type { GandalfClient } from '../src/clients/gandalf/client.js';
import type { AiClient } from '../src/clients/openai.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import { createRobotsPolicy } from '../src/clients/robots.js';
import type { TmdbClient } from '../src/clients/tmdb.js';
import type { WikidataClient } from '../src/clients/wikidata.js';
import type { Client } from '@temporalio/client';
import { type ServiceThrottled, serviceThrottledSignal } from '../src/contracts/index.js';
import type { Db } from '../src/db/index.js';
import type { SessionKeyring } from '../src/temporal/codec/sessionKeys.js';
import { createBlendActivities } from './blend.js';
import { createCatalogActivities } from './catalog.js';
import { createCrawlActivities } from './crawl.js';
import { createFairLanes } from './fairLanes.js';
import { createFetchActivities } from './fetch.js';
import { createForgetActivities } from './forget.js';
import { createInsightActivities } from './insights.js';
import { createRedriveActivities } from './redrive.js';
import { createRefreshActivities } from './refresh.js';
import { createReportActivities } from './report.js';
import { createSessionActivities } from './session.js';
import { createShowDataActivities } from './showData.js';

export interface ActivityDeps {
  db: Db;
  gandalf: GandalfClient;
  tmdb: TmdbClient;
  ai: AiClient;
  caller: ServiceCaller;
  wikidata?: WikidataClient;
  /** maxConcurrency: RT shows the worker crawls at once, shared fairly between sessions (activities/fairLanes.ts). */
  rt: { url: string; userAgent: string; maxConcurrency: number; timeoutMs: number };
  /** TMDB lookups the worker runs at once, shared the same way. */
  tmdbConcurrency?: number;
  /** For forgetting sessions: cancel their workflows, delete their schedules (activities/forget.ts). */
  client?: Client;
  /** The process's session payload keys, which forgetting destroys. */
  sessionKeys?: SessionKeyring;
}

export function createActivities(deps: ActivityDeps) {
  const robots = createRobotsPolicy({ service: 'rt', userAgent: deps.rt.userAgent, caller: deps.caller, timeoutMs: deps.rt.timeoutMs });
  const client = deps.client;
  // A crawl waiting out RT's refusals past the patience tells its session (by workflow id: the latest run).
  const reportThrottled = client ? async (workflowId: string, report: ServiceThrottled) => void (await client.workflow.getHandle(workflowId).signal(serviceThrottledSignal, report)) : undefined;
  // The worker's lanes, one set for every chunk of every session (the catalog's too): fair shares.
  const rtLanes = createFairLanes(deps.rt.maxConcurrency);
  const crawlWith = (caller: ServiceCaller, maxConcurrency: number) =>
    createCrawlActivities({ db: deps.db, caller, wikidata: deps.wikidata, robots, rtUrl: deps.rt.url, userAgent: deps.rt.userAgent, maxConcurrency, lanes: rtLanes, reportThrottled });
  const crawl = crawlWith(deps.caller, deps.rt.maxConcurrency);
  return {
    ...createSessionActivities(deps),
    ...createFetchActivities(deps),
    ...createShowDataActivities({ ...deps, concurrency: deps.tmdbConcurrency }),
    ...crawl,
    // The catalog crawler warms the cache with the sessions' own crawl (one robots.txt policy).
    ...createCatalogActivities({ ...deps, crawlWith }),
    ...createInsightActivities(deps),
    ...createReportActivities(deps),
    ...createRedriveActivities(deps),
    ...createRefreshActivities(deps),
    ...createForgetActivities(deps),
    ...createBlendActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
