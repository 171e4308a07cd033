// One request loop for every HTTP client: check the service's circuit, take a rate-limit slot, call,
// and on a transient failure back off exponentially with full jitter. A refusal for pace (429, 503:
// DESIGN §2 "Throttling") is not a failure: it cuts the shared rate, holds everyone for its
// Retry-After (or a default pause) and is retried without spending an attempt or a strike against
// the circuit, for as long as the throttle patience allows. Successes feed the adaptive rate.
import { externalCalls } from '../observability/metrics.js';
import type { CircuitBreakers } from './circuitBreaker.js';
import { PermanentServiceError, TransientServiceError } from './errors.js';
import { type RateLimiter, type ServiceName, sleep } from './rateLimiter.js';
import { ServiceErrors } from '../contracts/index.js';

/** Operators' holds on a service, as the request loop honours them (src/control/serviceHolds.ts keeps them). */
export interface HoldGate {
  /** Resolves once `service` is not held (at once, usually); rejects only when `signal` aborts. */
  waitWhileHeld(service: ServiceName, signal?: AbortSignal): Promise<void>;
  /** Whether `service` is held, as of at most one poll interval ago. */
  isHeld(service: ServiceName): Promise<boolean>;
}

export interface RetryPolicy {
  /** Attempts that end in a real failure (refusals for pace are not counted). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a service may keep refusing us for pace before the call gives up (THROTTLE_PATIENCE). */
  throttlePatienceMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, throttlePatienceMs: 30 * 60_000 };

export interface ServiceCaller {
  call<T>(service: ServiceName, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  limiter: RateLimiter;
  breakers?: CircuitBreakers;
  /** Operators' service holds; callers that send requests themselves (the RT crawler) wait on them too. */
  holds?: HoldGate;
  /** How long a service may refuse us for pace before it is reported (callers that send requests themselves). */
  throttlePatienceMs: number;
}

export function createServiceCaller(limiter: RateLimiter, breakers?: CircuitBreakers, policy: RetryPolicy = DEFAULT_RETRY, holds?: HoldGate): ServiceCaller {
  return { limiter, breakers, holds, throttlePatienceMs: policy.throttlePatienceMs, call: (service, fn, signal) => callWithRetry(service, limiter, fn, policy, signal, breakers, holds) };
}

function outcomeOf(error: unknown): string {
  if (error instanceof PermanentServiceError) return 'permanent_error';
  if (error instanceof TransientServiceError && error.throttled) return 'rate_limited';
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
  let attempt = 0;
  /** Since when the service has refused us for pace without a real answer in between. */
  let throttledSince: number | undefined;
  for (;;) {
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
      if (lastError.throttled) {
        // A pace, not a failure: every worker slows down (the shared rate is cut, the Retry-After or a
        // default pause holds the next slot) and this call waits its turn again, spending no attempt.
        await limiter.onThrottled(service, lastError.retryAfterMs);
        throttledSince ??= Date.now();
        const throttledForMs = Date.now() - throttledSince;
        if (throttledForMs < policy.throttlePatienceMs) continue;
        throw Object.assign(lastError, { attempts: attempt, throttledForMs });
      }
      throttledSince = undefined;
      attempt++;
      breakers?.failure(service);
      // Any other answer that says when to come back is honoured for every worker.
      if (lastError.retryAfterMs !== undefined) await limiter.pushBack(service, lastError.retryAfterMs);
      if (attempt >= policy.attempts) break;
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
