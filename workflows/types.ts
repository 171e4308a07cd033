// Types shared by workflows, activities and clients. Type-only: safe for the workflow sandbox.
export type SessionState = 'AWAITING_CONNECTION' | 'PROCESSING' | 'STATS_DATA_READY' | 'COMPLETED' | 'FAILED';

export interface PipelineSettings {
  pageSize: number;
  pagesPerFetch: number;
  fetchConcurrency: number;
  chunkSize: number;
  childWindow: number;
  continueAsNewEveryPages: number;
  connectTimeoutMs: number;
  showCacheTtlMs: number;
  starSignGate: number;
  /** How long a chunk keeps retrying shows that failed transiently; absent in runs started before it existed. */
  chunkRetry?: ChunkRetry;
}

/** Activity attempts for one chunk (exponential backoff from initialIntervalMs, at most a minute apart). */
export interface ChunkRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
}

export interface SessionInput {
  sessionId: string;
  dataKey?: string;
  settings: PipelineSettings;
  /** State carried from the previous run by continue-as-new. */
  carried?: SessionRunState;
}

export interface StageCounters {
  total: number;
  done: number;
  failed: number;
}

export interface StageProgress extends StageCounters {
  percent: number;
  complete: boolean;
}

export interface SessionProgress {
  sessionId: string;
  state: SessionState;
  failureReason?: string;
  percent: number;
  etaSeconds: number | null;
  elapsedSeconds: number;
  runs: number;
  stages: {
    fetch: StageProgress & { activities: number };
    showData: StageProgress;
    crawl: StageProgress;
    quips: StageProgress;
    bff: StageProgress;
    starSign: StageProgress;
  };
}

export interface ChunkEnriched {
  chunk: number;
  done: number;
  failed: number;
  /** Shows matched on TMDB: only these can be crawled on RT (matching needs the cast). */
  matchedShowIds: number[];
  /** A permanent, session-wide failure (e.g. TMDB rejected our key). */
  fatal?: string;
}

export interface ChunkCrawled {
  chunk: number;
  done: number;
  failed: number;
  fatal?: string;
}

export interface ChunkInput {
  sessionId: string;
  parentWorkflowId: string;
  chunk: number;
  showIds: number[];
  showCacheTtlMs: number;
  /** Absent in chunks started before it existed: those used DEFAULT_CHUNK_RETRY. */
  retry?: ChunkRetry;
}

/** What a chunk whose activity ran out of attempts wrote off; the rest an earlier attempt finished. */
export interface ChunkWriteOff {
  failedShowIds: number[];
  matchedShowIds: number[];
}

/** Everything a SessionWorkflow run needs to pick up where the previous run stopped. */
export interface SessionRunState {
  state: SessionState;
  dataKey?: string;
  startedAtMs: number;
  runs: number;
  sessionRecorded: boolean;
  fetch: {
    nextPage: number;
    totalPages: number | null;
    pagesDone: number;
    activities: number;
    batchesStarted: number;
    done: boolean;
  };
  pendingShowIds: number[];
  nextChunk: number;
  chunkSizes: Record<number, number>;
  showData: StageCounters & { inFlight: number[]; finished: number[] };
  crawl: StageCounters & { inFlight: number[]; finished: number[]; queue: { chunk: number; showIds: number[] }[] };
  stageStartedAtMs: { showData?: number; crawl?: number };
  gates: { quips: boolean; bff: boolean; starSign: boolean; report: boolean };
}

export interface FetchBatchInput {
  sessionId: string;
  dataKey: string;
  batch: number;
  firstPage: number;
  lastPage: number;
  pageSize: number;
}

export interface FetchBatchResult {
  total: number;
  pagesFetched: number;
  activities: number;
  newShowIds: number[];
}

export interface ChunkOutcome {
  done: number;
  failed: number;
  matchedShowIds: number[];
}
