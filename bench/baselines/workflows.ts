// Two baselines the benchmark compares SessionWorkflow against (bench/run.ts). Only the bench's worker
// registers them (bench/baselines/bundle.ts), never the product's. They reuse the real
// activities and write the same rows, so only the orchestration differs:
// - NaiveSessionWorkflow: one activity per page and per show per stage, no batching, no cache, no
//   children, no continue-as-new: what a first straightforward version would do.
// - StagedSessionWorkflow: the same batched activities as SessionWorkflow, but each stage waits for
//   the previous one to finish, so the rate-limited services take turns instead of overlapping.
import { condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { type ChunkOutcome, type FetchBatchResult, PERMANENT_ERROR_TYPES, type SessionInput, chunkRetryPolicy } from '../../src/contracts/index.js';

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] };

// Same timeouts and retry policies as SessionWorkflow and its children, so attempts compare.
const { fetchHistoryBatch } = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: { ...retry, maximumAttempts: 10 } });
const { enrichShows, crawlShows } = proxyActivities<Activities>({ startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: chunkRetryPolicy() });
const { recordSessionState, writeShowQuips, pickTvBff, pickStarSign, buildReport } = proxyActivities<Activities>({
  startToCloseTimeout: '3m',
  retry: { ...retry, maximumAttempts: 8 },
});

/** Pending activities the naive version allows itself: well under Temporal's 2,000 per run. */
export const NAIVE_MAX_IN_FLIGHT = 200;

export interface BaselineOutcome {
  sessionId: string;
  state: 'COMPLETED';
  pages: number;
  shows: number;
  activities: number;
}

export async function NaiveSessionWorkflow(input: SessionInput): Promise<BaselineOutcome> {
  const { sessionId, settings } = input;
  const workflowId = workflowInfo().workflowId;
  const dataKey = input.dataKey;
  if (!dataKey) throw new Error('the naive baseline needs a dataKey');
  await recordSessionState({ sessionId, workflowId, state: 'PROCESSING' });

  let inFlight = 0;
  let activitiesRun = 0;
  let failure: unknown;
  const slot = async () => {
    await condition(() => inFlight < NAIVE_MAX_IN_FLIGHT);
    inFlight++;
    activitiesRun++;
  };
  const release = () => void inFlight--;

  let showsTotal = 0;
  let showsEnriched = 0;
  let showsCrawled = 0;

  async function oneShow(showId: number) {
    const chunkInput = { sessionId, parentWorkflowId: workflowId, chunk: showId, showIds: [showId], showCacheTtlMs: 0 };
    await slot();
    let enriched: ChunkOutcome;
    try {
      enriched = await enrichShows(chunkInput);
    } finally {
      release();
    }
    showsEnriched++;
    if (enriched.matchedShowIds.length > 0) {
      await slot();
      try {
        await crawlShows(chunkInput);
      } finally {
        release();
      }
    }
    showsCrawled++;
  }

  const startShows = (result: FetchBatchResult) => {
    showsTotal += result.newShowIds.length;
    for (const showId of result.newShowIds) void oneShow(showId).catch((error: unknown) => void (failure ??= error));
  };

  async function onePage(page: number): Promise<FetchBatchResult> {
    await slot();
    try {
      return await fetchHistoryBatch({ sessionId, dataKey: dataKey!, batch: page, firstPage: page, lastPage: page, pageSize: settings.pageSize });
    } finally {
      release();
    }
  }

  // Page 1 tells the total; then every other page is its own activity, all queued at once.
  const first = await onePage(1);
  startShows(first);
  const pages = Math.max(1, Math.ceil(first.total / settings.pageSize));
  const rest: Promise<void>[] = [];
  for (let page = 2; page <= pages; page++) rest.push(onePage(page).then(startShows));
  await Promise.all(rest);

  await writeShowQuips({ sessionId });
  // The workflow is the session row's one writer (as SessionWorkflow): the bench reads this state.
  await recordSessionState({ sessionId, workflowId, state: 'STATS_DATA_READY' });
  await condition(() => failure !== undefined || showsEnriched >= showsTotal);
  if (failure) throw failure;
  await pickTvBff({ sessionId });
  await condition(() => failure !== undefined || showsCrawled >= showsTotal);
  if (failure) throw failure;
  await pickStarSign({ sessionId });
  await buildReport({ sessionId, crawlComplete: true });
  await recordSessionState({ sessionId, workflowId, state: 'COMPLETED' });
  return { sessionId, state: 'COMPLETED', pages, shows: showsTotal, activities: activitiesRun + 6 };
}

/** Runs `work` over `items` with at most `limit` in flight (workflow-safe: only promises and condition). */
async function windowed<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

const chunksOf = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export async function StagedSessionWorkflow(input: SessionInput): Promise<BaselineOutcome> {
  const { sessionId, settings } = input;
  const workflowId = workflowInfo().workflowId;
  const dataKey = input.dataKey;
  if (!dataKey) throw new Error('the staged baseline needs a dataKey');
  await recordSessionState({ sessionId, workflowId, state: 'PROCESSING' });
  let activitiesRun = 1;

  // Stage 1: every page, with SessionWorkflow's batching (page 1 first: it tells the total).
  const showIds: number[] = [];
  let batch = 0;
  const fetchPages = async (firstPage: number, lastPage: number) => {
    activitiesRun++;
    const r = await fetchHistoryBatch({ sessionId, dataKey, batch: ++batch, firstPage, lastPage, pageSize: settings.pageSize });
    showIds.push(...r.newShowIds);
    return r;
  };
  const first = await fetchPages(1, 1);
  const pages = Math.max(1, Math.ceil(first.total / settings.pageSize));
  const ranges: [number, number][] = [];
  for (let p = 2; p <= pages; p += settings.pagesPerFetch) ranges.push([p, Math.min(pages, p + settings.pagesPerFetch - 1)]);
  await windowed(ranges, settings.fetchConcurrency, async ([a, b]) => void (await fetchPages(a, b)));
  await writeShowQuips({ sessionId });
  // The workflow is the session row's one writer (as SessionWorkflow): the bench reads this state.
  await recordSessionState({ sessionId, workflowId, state: 'STATS_DATA_READY' });

  // Stage 2: show data, chunk by chunk, as activities straight from this workflow.
  const matched: number[] = [];
  const chunk = (ids: number[], n: number) => ({ sessionId, parentWorkflowId: workflowId, chunk: n, showIds: ids, showCacheTtlMs: settings.showCacheTtlMs });
  const showChunks = chunksOf(showIds, settings.chunkSize);
  let n = 0;
  await windowed(showChunks, settings.childWindow, async (ids) => {
    activitiesRun++;
    const r = await enrichShows(chunk(ids, n++));
    matched.push(...r.matchedShowIds);
  });
  await pickTvBff({ sessionId });

  // Stage 3: crawl, only once every show has its cast.
  await windowed(chunksOf(matched, settings.chunkSize), settings.childWindow, async (ids) => {
    activitiesRun++;
    await crawlShows(chunk(ids, n++));
  });
  await pickStarSign({ sessionId });
  await buildReport({ sessionId, crawlComplete: true });
  await recordSessionState({ sessionId, workflowId, state: 'COMPLETED' });
  return { sessionId, state: 'COMPLETED', pages, shows: showIds.length, activities: activitiesRun + 6 };
}
