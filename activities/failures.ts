// Turns a classified client error into the Temporal failure the retry policy understands.
import { ApplicationFailure } from '@temporalio/activity';
import { PermanentServiceError, TransientServiceError } from '../src/clients/errors.js';

export function asActivityFailure(error: unknown): unknown {
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
