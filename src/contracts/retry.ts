// Every retry policy the workflows use, written once. Permanent error types never retry.
import type { RetryPolicy } from '@temporalio/common';
import { PERMANENT_ERROR_TYPES } from './errors.js';

/** Activity attempts for one chunk (exponential backoff from initialIntervalMs, at most a minute apart). */
export interface ChunkRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
}

const backoff = { backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] };

/** A viewer's session: quick first retries, since someone is waiting. */
export const SESSION_FETCH_RETRY: RetryPolicy = { ...backoff, initialInterval: '1s', maximumAttempts: 10 };
export const SESSION_STEP_RETRY: RetryPolicy = { ...backoff, initialInterval: '1s', maximumAttempts: 8 };
/** Refreshes and re-drives: nobody waits on them. */
export const BACKGROUND_RETRY: RetryPolicy = { ...backoff, initialInterval: '2s', maximumAttempts: 5 };
/** Forgetting a viewer: a promise made, so it retries until it is done (an outage only delays it). */
export const ERASURE_RETRY: RetryPolicy = { ...backoff, initialInterval: '1s' };

/**
 * A chunk activity's timeouts. The heartbeat finds a dead worker within a minute (chunk activities
 * beat every 20 s while they live); the long start-to-close lets a chunk wait out an operator's
 * service hold, or a polite crawl's queue, without burning an attempt.
 */
export const CHUNK_ACTIVITY_TIMEOUTS = { startToCloseTimeout: '12h', heartbeatTimeout: '1m' } as const;

/** What chunks used before the policy was configurable; still the default (CHUNK_MAX_ATTEMPTS, CHUNK_RETRY_INITIAL). */
export const DEFAULT_CHUNK_RETRY: ChunkRetry = { maximumAttempts: 8, initialIntervalMs: 2_000 };

/**
 * The retry policy of a chunk's one activity. Until its last attempt a show that failed transiently
 * fails the attempt, and Temporal retries it durably with backoff; on the last attempt it is
 * dead-lettered with its reason and the chunk completes, so one bad show never stalls a session.
 */
export function chunkRetryPolicy(retry: ChunkRetry = DEFAULT_CHUNK_RETRY): RetryPolicy {
  return { ...backoff, initialInterval: retry.initialIntervalMs, maximumAttempts: retry.maximumAttempts };
}

/**
 * Whether this attempt is the chunk activity's last: from the retry policy the server ran it under
 * (the activity's info), else from the chunk's input (e.g. in a mock environment that has no policy).
 */
export function isLastChunkAttempt(info: { attempt: number; retryPolicy?: RetryPolicy }, retry: ChunkRetry = DEFAULT_CHUNK_RETRY): boolean {
  const fromPolicy = info.retryPolicy?.maximumAttempts;
  return info.attempt >= (fromPolicy && fromPolicy > 0 ? fromPolicy : retry.maximumAttempts);
}
