// The retry policy of a chunk's one activity, and how the activity tells its last attempt. Until
// then a show that failed transiently fails the attempt, and Temporal retries it durably with
// backoff (surviving worker crashes); on the last attempt it is dead-lettered with its reason and
// the chunk completes, so one bad show never stalls a session.
import type { RetryPolicy } from '@temporalio/common';
import { PERMANENT_ERROR_TYPES } from './errorTypes.js';
import type { ChunkRetry } from './types.js';

/** What chunks used before the policy was configurable; still the default (CHUNK_MAX_ATTEMPTS, CHUNK_RETRY_INITIAL). */
export const DEFAULT_CHUNK_RETRY: ChunkRetry = { maximumAttempts: 8, initialIntervalMs: 2_000 };

export function chunkRetryPolicy(retry: ChunkRetry = DEFAULT_CHUNK_RETRY): RetryPolicy {
  return {
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: retry.maximumAttempts,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  };
}

/**
 * Whether this attempt is the chunk activity's last: from the retry policy the server ran it under
 * (the activity's info), else from the chunk's input (e.g. in a mock environment that has no policy).
 */
export function isLastChunkAttempt(info: { attempt: number; retryPolicy?: RetryPolicy }, retry: ChunkRetry = DEFAULT_CHUNK_RETRY): boolean {
  const fromPolicy = info.retryPolicy?.maximumAttempts;
  return info.attempt >= (fromPolicy && fromPolicy > 0 ? fromPolicy : retry.maximumAttempts);
}
