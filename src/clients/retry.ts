// One request loop for every HTTP client: check the service's circuit, take a rate-limit slot, call,
// and on a transient failure back off exponentially with full jitter (or exactly as long as
// Retry-After says, shared by all workers through the limiter). Successes and 429s feed the
// limiter's adaptive rate.
import { externalCalls } from '../observability/metrics.js';
import type { CircuitBreakers } from './circuitBreaker.js';
import { PermanentServiceError, TransientServiceError } from './errors.js';
import { type RateLimiter, type ServiceName, sleep } from './rateLimiter.js';
import { ServiceErrors } from '../contracts/index.js';
import type { HoldGate } from '../control/serviceHolds.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface ServiceCaller {
  call<T>(service: ServiceName, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  limiter: RateLimiter;
  breakers?: CircuitBreakers;
  /** Operators' service holds; callers that send requests themselves (the RT crawler) wait on them too. */
  holds?: HoldGate;
}

export function createServiceCaller(limiter: RateLimiter, breakers?: CircuitBreakers, policy: RetryPolicy = DEFAULT_RETRY, holds?: HoldGate): ServiceCaller {
  return { limiter, breakers, holds, call: (service, fn, signal) => callWithRetry(service, limiter, fn, policy, signal, breakers, holds) };
}

function outcomeOf(error: unknown): string {
  if (error instanceof PermanentServiceError) return 'permanent_error';
  const message = (error as Error).message ?? '';
  if (/HTTP 429/.test(message)) return 'rate_limited';
  if (/HTTP 5\d\d/.test(message)) return 'server_error';
  return 'error';
}

export async function callWithRetry<T>(
  service: ServiceName,
  limiter: RateLimiter,
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
  breakers?: CircuitBreakers,
  holds?: HoldGate,
): Promise<T> {
  let lastError: TransientServiceError | undefined;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    // An operator's hold comes first: held requests wait without counting as attempts or failures.
    await holds?.waitWhileHeld(service, signal);
    try {
      breakers?.check(service); // fail fast while the service is known to be down
    } catch (error) {
      externalCalls.inc({ service, outcome: 'circuit_open' });
      throw error;
    }
    await limiter.acquire(service, signal);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      const outcome = outcomeOf(error);
      externalCalls.inc({ service, outcome });
      if (error instanceof PermanentServiceError) throw error;
      lastError =
        error instanceof TransientServiceError
          ? error
          : new TransientServiceError(ServiceErrors.network(service), `${service}: ${(error as Error).message}`);
      // A service that says when to come back (429 + Retry-After) is up, only pacing us: no strike
      // against its circuit, or a rate-limit burst would fail every show that meets the open circuit.
      if (lastError.retryAfterMs === undefined) breakers?.failure(service);
      // A 429, or any answer asking us to wait, slows every worker (the shared rate is cut and
      // Retry-After holds the next slot), on the last attempt too: the others are still sending.
      const throttled = outcome === 'rate_limited' || lastError.retryAfterMs !== undefined;
      if (throttled) await limiter.onThrottled(service, lastError.retryAfterMs);
      if (attempt === policy.attempts) break;
      if (lastError.retryAfterMs === undefined) {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.random() * ceiling, signal);
      }
      continue;
    }
    externalCalls.inc({ service, outcome: 'ok' });
    breakers?.success(service);
    await limiter.onSuccess(service);
    return result;
  }
  throw Object.assign(lastError!, { attempts: policy.attempts });
}
