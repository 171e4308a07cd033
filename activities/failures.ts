// Turns a classified client error into the Temporal failure the retry policy understands.
import { ApplicationFailure } from '@temporalio/activity';
import { PermanentServiceError, TransientServiceError } from '../src/clients/errors.js';
import { PipelineErrors } from '../src/contracts/index.js';

function asActivityFailure(error: unknown): unknown {
  if (error instanceof PermanentServiceError) {
    return ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
  }
  if (error instanceof TransientServiceError) {
    return ApplicationFailure.create({
      type: error.type,
      message: error.message,
      // The service's Retry-After becomes the next attempt's delay.
      nextRetryDelay: error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, 100) : undefined,
    });
  }
  return error;
}

/** Runs `work` and rethrows whatever it throws as a classified Temporal failure. */
export async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asActivityFailure(error);
  }
}

/**
 * Some shows of a chunk failed transiently on an attempt that is not the last: the attempt fails
 * (retryable), so Temporal retries just those shows later, with backoff, instead of dead-lettering them.
 */
export function showsUnfinished(service: string, failures: Error[], total: number): TransientServiceError {
  return new TransientServiceError(PipelineErrors.showsUnfinished, `${failures.length} of ${total} shows could not be looked up on ${service} this attempt; first error: ${failures[0]!.message}`);
}
