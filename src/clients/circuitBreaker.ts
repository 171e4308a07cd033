// One circuit per external service, per worker process. After `failureThreshold` consecutive
// transient failures the circuit opens: calls fail fast (no requests, no retries burnt) for
// `openMs`; then requests are let through again (half-open): the first success closes the circuit,
// the first failure re-opens it. (Letting every caller probe avoids failing callers that race a
// single probe; the limiter already caps how many go out.)
import { TransientServiceError } from './errors.js';
import { ServiceErrors } from '../contracts/index.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakers {
  /** Throws a TransientServiceError (type CircuitOpen) while the service's circuit is open. */
  check(service: string): void;
  success(service: string): void;
  failure(service: string): void;
  state(service: string): CircuitState;
  /** Called when a circuit opens or closes (metrics, logs). Half-open is only ever observed by `state`: it is "open, and its time is up". */
  onChange?: (service: string, state: CircuitChange) => void;
}

/** The changes a circuit reports. */
export type CircuitChange = Exclude<CircuitState, 'half-open'>;

export function createCircuitBreakers(opts: { failureThreshold?: number; openMs?: number; now?: () => number; onChange?: (service: string, state: CircuitChange) => void } = {}): CircuitBreakers {
  const threshold = opts.failureThreshold ?? 5;
  const openMs = opts.openMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const circuits = new Map<string, { failures: number; openedAt: number | null }>();
  const get = (service: string) => {
    let c = circuits.get(service);
    if (!c) circuits.set(service, (c = { failures: 0, openedAt: null }));
    return c;
  };
  const stateOf = (service: string): CircuitState => {
    const c = get(service);
    if (c.openedAt === null) return 'closed';
    return now() - c.openedAt >= openMs ? 'half-open' : 'open';
  };
  const breakers: CircuitBreakers = {
    onChange: opts.onChange,
    state: stateOf,
    check(service) {
      const c = get(service);
      if (stateOf(service) !== 'open') return;
      const remaining = openMs - (now() - c.openedAt!);
      throw new TransientServiceError(ServiceErrors.circuitOpen, `${service} is unavailable (circuit open after ${threshold} failures in a row)`, Math.max(100, remaining));
    },
    success(service) {
      const c = get(service);
      const wasOpen = c.openedAt !== null;
      c.failures = 0;
      c.openedAt = null;
      if (wasOpen) breakers.onChange?.(service, 'closed');
    },
    failure(service) {
      const c = get(service);
      c.failures++;
      const halfOpen = stateOf(service) === 'half-open';
      if (halfOpen || (c.openedAt === null && c.failures >= threshold)) {
        c.openedAt = now();
        breakers.onChange?.(service, 'open');
      }
    },
  };
  return breakers;
}
