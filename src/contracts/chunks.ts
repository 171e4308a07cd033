// The chunk children's contract: what a ShowData or Crawl child is given and what it reports back.
import type { ChunkRetry } from './retry.js';

export interface ChunkInput {
  sessionId: string;
  parentWorkflowId: string;
  chunk: number;
  showIds: number[];
  showCacheTtlMs: number;
  /** Absent in chunks started before it existed: those used DEFAULT_CHUNK_RETRY. */
  retry?: ChunkRetry;
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
}

/** What a chunk's activity finished: the shows done, those that failed, those TMDB matched. */
export interface ChunkOutcome {
  done: number;
  failed: number;
  matchedShowIds: number[];
}

/** What a chunk whose activity ran out of attempts wrote off; the rest an earlier attempt finished. */
export interface ChunkWriteOff {
  failedShowIds: number[];
  matchedShowIds: number[];
}

/** Shows written off after their chunk's last attempt, with the reason a person reads. */
export interface MarkChunkFailedInput {
  sessionId: string;
  stage: 'showData' | 'crawl';
  showIds: number[];
  reason: string;
  /** How many attempts the chunk had (absent in histories from before it was recorded). */
  attempts?: number;
}
