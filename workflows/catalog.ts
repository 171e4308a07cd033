// CatalogCrawlWorkflow: warms the global show cache before viewers need it. Each run is one round:
// explore the round's seeds through TMDB's recommendations and similar lists, queue the new,
// popular, uncached shows (activities/catalogDiscovery.ts), warm them in small chunks with the
// sessions' own lookups and RT crawl (activities/catalogEnrich.ts), then continue as new with the
// next round, until the target count or the last round. All of it runs at CATALOG_PRIORITY and its
// activities give way to viewers' sessions (activities/viewerYield.ts), so a waiting viewer goes
// first. What the crawl has seen lives in the database under its key (the first run's id), so each
// run's history carries counts, never lists of ids.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  BACKGROUND_RETRY,
  CATALOG_DEFAULTS,
  CATALOG_PRIORITY,
  type CatalogCrawlCarried,
  type CatalogCrawlInput,
  type CatalogCrawlOutcome,
  type CatalogCrawlProgress,
  type CatalogCrawlWorkflowType,
  type CatalogStop,
  type ShowsInput,
  PERMANENT_ERROR_TYPES,
  catalogChunkOwner,
  catalogProgressQuery,
  chunkRetryPolicy,
  crawlIdOfWorkflowId,
  emptyCatalogCounts,
  firstStage,
} from '../src/contracts/index.js';
import { describeCrawl, roundBudget, stopAfterRound } from './catalogPlan.js';
import { type StageRunner, runByActivity, runShowPipeline } from './showPipeline.js';

const priority = { priorityKey: CATALOG_PRIORITY };
const { pickCatalogSeeds, discoverCatalogRound, writeOffCatalogChunk, finishCatalogCrawl } = proxyActivities<Activities>({
  priority,
  retry: BACKGROUND_RETRY,
  startToCloseTimeout: '1h',
  heartbeatTimeout: '1m',
});

/** A failure no retry can fix (TMDB rejected the key): the crawl stops with it instead of failing every chunk. */
const isPermanent = (error: unknown) =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && PERMANENT_ERROR_TYPES.includes(error.cause.type ?? '');

export async function CatalogCrawlWorkflow(input: CatalogCrawlInput): Promise<CatalogCrawlOutcome> {
  const settings = { ...CATALOG_DEFAULTS, ...input.settings };
  const crawlId = input.crawlId ?? crawlIdOfWorkflowId(workflowInfo().workflowId);
  const crawlKey = workflowInfo().firstExecutionRunId;
  const state: CatalogCrawlCarried = input.carried ?? { round: 1, chunks: null, nextChunk: 0, counts: emptyCatalogCounts(), runs: 1 };
  const { counts, round } = state;
  let phase: CatalogCrawlProgress['phase'] = state.chunks === null ? (round === 1 ? 'seeding' : 'discovering') : 'enriching';
  let chunksDone = state.nextChunk;
  let stoppedBecause: CatalogStop | null = null;
  const progress = (): CatalogCrawlProgress => ({
    ...counts,
    crawlId,
    round,
    rounds: settings.rounds,
    target: settings.target,
    phase,
    chunks: { done: chunksDone, total: state.chunks ?? 0 },
    stoppedBecause,
    runs: state.runs,
  });
  setHandler(catalogProgressQuery, progress);
  const showDetails = () => setCurrentDetails(describeCrawl(progress()));
  showDetails();
  const catalogActivities = proxyActivities<Activities>({
    priority,
    // Long enough to wait out viewers' sessions and held services; the heartbeat finds a dead worker.
    startToCloseTimeout: '12h',
    heartbeatTimeout: '1m',
    retry: chunkRetryPolicy(settings.retry),
  });
  // "Cached and fresh" means fresh for a while yet: a show about to expire is warmed again.
  const freshTtlMs = Math.max(0, settings.showCacheTtlMs - settings.staleWithinMs);
  const common = { showCacheTtlMs: freshTtlMs, yieldMaxMs: settings.yieldMaxMs, retry: settings.retry };
  const { enrichCatalogChunk } = catalogActivities;
  // The stages after the first run with the row's catalog activity (the sessions' own, giving way to viewers first).
  const stages: StageRunner = (row, shows) => runByActivity(catalogActivities)({ ...row, activity: row.catalogActivity ?? row.activity }, { ...shows, yieldMaxMs: settings.yieldMaxMs } as ShowsInput);

  const finish = async (why: CatalogStop): Promise<CatalogCrawlOutcome> => {
    stoppedBecause = why;
    phase = 'finished';
    showDetails();
    await finishCatalogCrawl({ crawlKey });
    return progress();
  };

  async function warmChunk(chunk: number): Promise<void> {
    let showIds: number[];
    try {
      const warmed = await enrichCatalogChunk({ crawlKey, round, chunk, ...common });
      counts.enriched += warmed.enriched;
      counts.deduped += warmed.deduped;
      counts.skipped += warmed.skipped;
      counts.failed += warmed.failed;
      showIds = warmed.showIds;
    } catch (error) {
      if (isPermanent(error)) throw error;
      counts.failed += await writeOffCatalogChunk({ crawlKey, round, chunk, reason: (error as Error).message });
      return;
    }
    if (showIds.length === 0) return;
    try {
      // The catalog ran the first stage its own way (by discovery chunk): the rest take its matches.
      const ran = { [firstStage().name]: { showIds, outcome: { done: showIds.length, failed: 0, matchedShowIds: showIds } } };
      const outcomes = await runShowPipeline(stages, { sessionId: catalogChunkOwner(crawlId), showCacheTtlMs: freshTtlMs, retry: settings.retry }, { start: {}, ran });
      for (const [name, outcome] of Object.entries(outcomes)) if (name !== firstStage().name) counts.failed += outcome.failed;
    } catch (error) {
      if (isPermanent(error)) throw error;
      counts.failed += showIds.length;
    }
  }

  try {
    if (state.chunks === null) {
      let seeds: number[] | undefined;
      if (round === 1) {
        seeds = input.seeds?.length
          ? input.seeds
          : await pickCatalogSeeds({ limit: settings.seedsPerRound, recentSessionsMs: settings.recentSessionsMs, showCacheTtlMs: settings.showCacheTtlMs, staleWithinMs: settings.staleWithinMs });
        if (seeds.length === 0) return await finish('no-seeds');
      }
      phase = 'discovering';
      showDetails();
      const found = await discoverCatalogRound({
        crawlKey,
        round,
        seeds,
        seedsPerRound: settings.seedsPerRound,
        popularityFloor: settings.popularityFloor,
        showCacheTtlMs: freshTtlMs,
        budget: roundBudget(settings, counts, round),
        chunkSize: settings.chunkSize,
        yieldMaxMs: settings.yieldMaxMs,
      });
      // Nothing left to explore: the last round warmed nothing new to draw seeds from.
      if (found.seeds === 0) return await finish('exhausted');
      for (const key of ['seeds', 'discovered', 'deduped', 'belowFloor', 'queued', 'overBudget'] as const) counts[key] += found[key];
      state.chunks = found.chunks;
      state.nextChunk = chunksDone = 0;
    }

    phase = 'enriching';
    showDetails();
    const chunks = state.chunks;
    let historyFull = false;
    const lane = async () => {
      while (!historyFull && state.nextChunk < chunks && counts.enriched < settings.target) {
        await warmChunk(state.nextChunk++);
        chunksDone++;
        showDetails();
        historyFull ||= workflowInfo().continueAsNewSuggested;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, settings.parallelChunks) }, lane));

    const roundUnfinished = state.nextChunk < chunks && counts.enriched < settings.target;
    const stop = roundUnfinished ? null : stopAfterRound(settings, counts, round);
    if (stop) return await finish(stop);
    await condition(allHandlersFinished);
    // Mid-round (a long history): the same round from the next chunk; else the next round.
    const next: CatalogCrawlCarried = roundUnfinished
      ? { ...state, runs: state.runs + 1 }
      : { round: round + 1, chunks: null, nextChunk: 0, counts, runs: state.runs + 1 };
    return await continueAsNew<CatalogCrawlWorkflowType>({ ...input, crawlId, carried: next });
  } catch (error) {
    // Failed or cancelled: the crawl's memory goes anyway (continuing as new keeps it).
    if (!(error instanceof ContinueAsNew)) await CancellationScope.nonCancellable(() => finishCatalogCrawl({ crawlKey }));
    throw error;
  }
}
CatalogCrawlWorkflow satisfies CatalogCrawlWorkflowType;
