// What a stage's activity is given (a list of shows) and what a session's chunk child is given and
// reports back.
import type { StageName } from './pipeline.js';
import type { ChunkRetry } from './retry.js';

/** A list of shows for one stage's activity: a session's chunk, a refresh's new shows, a re-drive's failures. */
export interface ShowsInput {
  /** Whose shows: a session's id, or a catalog crawl's chunk owner. */
  sessionId: string;
  showIds: number[];
  showCacheTtlMs: number;
  /** Absent in chunks started before it existed: those used DEFAULT_CHUNK_RETRY. */
  retry?: ChunkRetry;
  /** The session workflow to tell when a service refuses for pace: only a session's own chunks have one. */
  parentWorkflowId?: string;
}

/** A session's chunk: one child workflow runs it through one stage and signals the session. */
export interface ChunkInput extends ShowsInput {
  parentWorkflowId: string;
  chunk: number;
  /** Its stage; children started before the stage table had none (their workflow type tells it). */
  stage?: StageName;
}

/** What a stage's activity finished; `matchedShowIds` go on to the stages that need this one (all shows, when absent). */
export interface StageOutcome {
  done: number;
  failed: number;
  matchedShowIds?: number[];
}

/** A stage's outcome that lists its matches (TMDB's show data). */
export type ChunkOutcome = Required<StageOutcome>;

/** What a chunk child signals its session (a crawl chunk's report carries no matched shows). */
export interface ChunkReport extends StageOutcome {
  chunk: number;
  /** A permanent, session-wide failure (e.g. TMDB rejected our key). */
  fatal?: string;
}

/** What a chunk whose activity ran out of attempts wrote off; the rest an earlier attempt finished. */
export interface ChunkWriteOff {
  failedShowIds: number[];
  matchedShowIds: number[];
}

/** Shows written off after their chunk's last attempt, with the reason a person reads. */
export interface MarkChunkFailedInput {
  sessionId: string;
  stage: StageName;
  showIds: number[];
  reason: string;
  /** How many attempts the chunk had (absent in histories from before it was recorded). */
  attempts?: number;
}
