// Failures classified from the outside: permanent ones fail fast with a readable reason,
// transient ones are retried (honouring Retry-After when the service sent one).

export class PermanentServiceError extends Error {
  override name = 'PermanentServiceError';
  constructor(
    /** Stable type name, also used as Temporal's non-retryable error type. */
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class TransientServiceError extends Error {
  override name = 'TransientServiceError';
  constructor(
    readonly type: string,
    message: string,
    /** The delay the service asked for (Retry-After), if any. */
    readonly retryAfterMs?: number,
    /** A refusal for pace (429, 503): it slows the caller and is retried, never spends an attempt. */
    readonly throttled = false,
  ) {
    super(message);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined | null, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A refusal that only paces us (DESIGN §2 "Throttling"): 429, or 503, with or without Retry-After and
 * whatever the body. Decided by the status alone, before anything reads the body.
 */
export function isThrottleStatus(status: number): boolean {
  return status === 429 || status === 503;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
