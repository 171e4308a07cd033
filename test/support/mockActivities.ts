// Controllable stand-ins for the activities, for workflow tests that must pin down orchestration
// (gates, windows, signals, continue-as-new) independently of HTTP and the database.
import type { Activities } from '../../activities/index.js';
import type { ChunkInput, FetchBatchInput, PipelineSettings } from '../../src/contracts/index.js';

/** Small, quick settings for sessions run over mock activities (tests override what they probe). */
export const mockPipelineSettings: PipelineSettings = {
  pageSize: 100,
  pagesPerFetch: 2,
  fetchConcurrency: 2,
  chunkSize: 10,
  childWindow: 4,
  continueAsNewEveryPages: 1000,
  connectTimeoutMs: 60_000,
  showCacheTtlMs: 86_400_000,
  starSignGate: 0.97,
};

export interface MockLog {
  calls: { name: string; at: number; input: unknown }[];
  count(name: string): number;
}

export interface MockOptions {
  /** Total history activities; pages are `pageSize` each. */
  totalActivities: number;
  /** New show ids revealed by a page (default: 10 per page, unique). */
  showsForPage?: (page: number) => number[];
  /** Hook to hold or fail a chunk's crawl/enrichment. */
  onCrawl?: (input: ChunkInput) => Promise<void>;
  onEnrich?: (input: ChunkInput) => Promise<void>;
  /** Per-call delay for every activity (makes a backlog on a one-slot worker). */
  delayMs?: number;
}

export function createMockActivities(options: MockOptions): { activities: Activities; log: MockLog } {
  const log: MockLog = {
    calls: [],
    count: (name) => log.calls.filter((c) => c.name === name).length,
  };
  /** Every mock call is logged, then takes `delayMs`, before it does anything else. */
  const called = async (name: string, input: unknown) => {
    log.calls.push({ name, at: Date.now(), input });
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
  };
  /** An activity whose only effect is being called. */
  const noop = (name: string) => (input: unknown) => called(name, input);
  const showsForPage = options.showsForPage ?? ((page: number) => Array.from({ length: 10 }, (_, i) => page * 10 + i));

  const activities = {
    recordSessionState: noop('recordSessionState'),
    async markChunkFailed(input: { showIds: number[] }) {
      await called('markChunkFailed', input);
      return { failedShowIds: input.showIds, matchedShowIds: [] };
    },
    async fetchHistoryBatch(input: FetchBatchInput) {
      await called('fetchHistoryBatch', input);
      const pages = input.lastPage - input.firstPage + 1;
      const newShowIds: number[] = [];
      for (let p = input.firstPage; p <= input.lastPage; p++) newShowIds.push(...showsForPage(p));
      const lastPageSize = options.totalActivities - (input.lastPage - 1) * input.pageSize;
      return {
        total: options.totalActivities,
        pagesFetched: pages,
        activities: (pages - 1) * input.pageSize + Math.max(0, Math.min(input.pageSize, lastPageSize)),
        newShowIds,
      };
    },
    async enrichShows(input: ChunkInput) {
      await called('enrichShows', input);
      await options.onEnrich?.(input);
      return { done: input.showIds.length, failed: 0, matchedShowIds: input.showIds };
    },
    async crawlShows(input: ChunkInput) {
      await called('crawlShows', input);
      await options.onCrawl?.(input);
      return { done: input.showIds.length, failed: 0 };
    },
    async fetchNewHistory(input: unknown) {
      await called('fetchNewHistory', input);
      return { watermark: null, pagesFetched: 1, newActivities: 0, newShowIds: [] };
    },
    writeShowQuips: noop('writeShowQuips'),
    pickTvBff: noop('pickTvBff'),
    pickStarSign: noop('pickStarSign'),
    buildReport: noop('buildReport'),
  };
  return { activities: activities as unknown as Activities, log };
}

/** A promise with its resolve exposed: holds a mock activity until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
