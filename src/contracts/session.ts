// The session's contract: its states, settings, input, continue-as-new snapshot and progress.
// Type-only or plain data: safe for the workflow sandbox, the API, the CLI and the database.
import type { StageName } from './pipeline.js';
import type { StageLabel } from './stages.js';
import type { ChunkRetry } from './retry.js';

/** Every state a session can be in, in the order it moves through them. */
export const SESSION_STATES = ['AWAITING_CONNECTION', 'PROCESSING', 'STATS_DATA_READY', 'PROVISIONAL_REPORT_READY', 'COMPLETED', 'FAILED'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
/** States a session never leaves. */
export const TERMINAL_SESSION_STATES: readonly SessionState[] = ['COMPLETED', 'FAILED'];
export const isTerminalState = (state: SessionState): boolean => TERMINAL_SESSION_STATES.includes(state);

/** The one source a session reads today: Gandalf's source name, stored on the row and as the DataSource search attribute. */
export const DATA_SOURCE = 'NETFLIX';

export interface PipelineSettings {
  pageSize: number;
  pagesPerFetch: number;
  fetchConcurrency: number;
  chunkSize: number;
  /**
   * The first chunk's size (FIRST_CHUNK_SIZE): small, so the stages after the first (the RT crawl,
   * the slowest service) start after a few TMDB lookups instead of a whole chunk's. Absent in runs
   * started before it existed (their first chunk is a whole one).
   */
  firstChunkSize?: number;
  childWindow: number;
  continueAsNewEveryPages: number;
  connectTimeoutMs: number;
  showCacheTtlMs: number;
  starSignGate: number;
  /** How long a chunk keeps retrying shows that failed transiently; absent in runs started before it existed. */
  chunkRetry?: ChunkRetry;
  /**
   * How long after processing starts a session stores a provisional report if the final one is not
   * there yet (REPORT_DEADLINE); absent in runs started before it existed (they have no deadline).
   */
  reportDeadlineMs?: number;
}

export interface StageCounters {
  total: number;
  done: number;
  failed: number;
}

/** The AI and report steps, each run once when its gate opens. */
export interface Gates {
  quips: boolean;
  bff: boolean;
  starSign: boolean;
  report: boolean;
}

/** One pipeline stage's part of a session: its counts, its chunks in flight and those waiting for a slot. */
export interface StageState extends StageCounters {
  /** Chunks started and not yet reported, with their sizes. */
  inFlight: { chunk: number; size: number }[];
  /** Chunks of shows the needed stage matched, waiting for a slot (the first stage chunks from pendingShowIds instead). */
  queue: { chunk: number; showIds: number[] }[];
  /** When its first chunk started (for the ETA). */
  startedAtMs?: number;
}

/** What every snapshot carries besides the stages. */
interface SnapshotCommon {
  /** The run this snapshot starts (the first run has none). */
  run: number;
  state: SessionState;
  startedAtMs: number;
  fetch: {
    /** The first page no batch has asked for yet. */
    nextPage: number;
    totalPages: number | null;
    pagesDone: number;
    activities: number;
    batchesStarted: number;
    done: boolean;
  };
  /** Shows seen by the fetch and not yet handed to a chunk of the first stage. */
  pendingShowIds: number[];
  nextChunk: number;
  gates: Gates;
  /** The report's deadline and the versions stored so far; absent in snapshots taken before the deadline existed. */
  report?: ReportTrack;
  /** Set while an operator holds the session (pause/resume updates). */
  paused?: PauseState | null;
  /** Services that have refused the session's chunks for pace past the throttle patience, and since when. */
  throttled?: Partial<Record<ThrottledService, number>>;
}

/**
 * What one SessionWorkflow run hands the next through continue-as-new: the cursor, the counters,
 * the shows not yet chunked, each stage's chunks in flight and waiting, and the gates passed.
 * Nothing in it grows with the session beyond what is still to do.
 */
export interface SessionSnapshot extends SnapshotCommon {
  /** Per stage of the pipeline table (src/contracts/pipeline.ts). */
  stages: Record<StageName, StageState>;
}

/**
 * The snapshot as runs wrote it before the stage table (two fixed stages). Kept only so sessions
 * that continued as new before it go on; read by `snapshotFromLanes`.
 */
export interface SessionSnapshotLanes extends SnapshotCommon {
  showData: StageCounters & { inFlight: { chunk: number; size: number }[] };
  crawl: StageCounters & { inFlight: number[]; queue: { chunk: number; showIds: number[] }[] };
  stageStartedAtMs: Record<string, number | undefined>;
}

/** The services whose refusals for pace a session reports (its chunks' own crawl). */
export type ThrottledService = 'rt';

/** A chunk tells its session that a service has refused it for pace past the patience (throttled), or answers again. */
export interface ServiceThrottled {
  service: ThrottledService;
  throttled: boolean;
  /** Since when it has refused (ms since the epoch). */
  sinceMs: number;
}

export interface PauseRequest {
  /** Why, for the Web UI and other operators. */
  reason?: string;
}

export interface PauseState {
  sinceMs: number;
  reason: string | null;
}

/** Where a session's report stands: its deadline, and the versions the workflow has claimed and stored. */
export interface ReportTrack {
  /** When a provisional report is due: processing start + reportDeadlineMs (null: no deadline, or not processing yet). */
  deadlineAtMs: number | null;
  /** Builds claimed so far (the next claim is claimed + 1); the database numbers the versions they store. */
  claimed: number;
  /** The final version has been claimed: no provisional one may follow it. */
  finalClaimed: boolean;
  /** The latest version stored. */
  latest: ReportVersionRef | null;
}

/** The latest stored report version, as progress and the event stream announce it. */
export interface ReportVersionRef {
  version: number;
  final: boolean;
  /** What the version was drawn from, e.g. "Still improving: 212 of 341 shows enriched and crawled". */
  coverage?: string;
}

/**
 * A SessionWorkflow run's state as runs started before SessionSnapshot carried it (v1). Kept only
 * so sessions in flight across the upgrade continue; read by `snapshotFromV1`.
 */
export interface SessionStateV1 {
  state: SessionState;
  dataKey?: string;
  startedAtMs: number;
  runs: number;
  sessionRecorded: boolean;
  fetch: SessionSnapshot['fetch'];
  pendingShowIds: number[];
  nextChunk: number;
  chunkSizes: Record<number, number>;
  showData: StageCounters & { inFlight: number[]; finished: number[] };
  crawl: StageCounters & { inFlight: number[]; finished: number[]; queue: { chunk: number; showIds: number[] }[] };
  stageStartedAtMs: Record<string, number | undefined>;
  gates: Gates;
}

export interface SessionInput {
  sessionId: string;
  dataKey?: string;
  settings: PipelineSettings;
  /** Where the previous run stopped (continue-as-new); runs before the stage table wrote the lanes' shape. */
  snapshot?: SessionSnapshot | SessionSnapshotLanes;
  /** Where a v1 run stopped: sessions continued-as-new by code before SessionSnapshot. */
  carried?: SessionStateV1;
}

export interface SessionOutcome {
  sessionId: string;
  state: SessionState;
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
  /** The latest report version stored, once there is one (absent in progress of runs before versions). */
  report?: ReportVersionRef | null;
  /** An operator paused the session: no new work starts until it is resumed. */
  paused?: { since: string; reason: string | null } | null;
  /**
   * Services that have refused us for pace longer than the throttle patience: the session waits for
   * them at their pace (nothing is failed for it) and says so here.
   */
  throttled?: { service: ThrottledService; since: string }[];
  /** The fetch, each pipeline stage by name, and the AI steps. */
  stages: {
    fetch: StageProgress & { activities: number };
    quips: StageProgress;
    bff: StageProgress;
    starSign: StageProgress;
  } & Record<StageName, StageProgress>;
  /** The pipeline's stages in order, with their labels: what the page and the CLI draw rows for (absent from older runs). */
  pipeline?: StageLabel[];
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

/** The one write of a session's state (the workflow is its only writer). */
export interface RecordSessionStateInput {
  sessionId: string;
  workflowId: string;
  state: SessionState;
  reason?: string;
}
