// The adaptive limiter in the bench (src/clients/rateLimiter.ts, AIMD): a stand-in lowers one service's
// limit mid-run without telling the app, and the bench reads from the stand-in's own timestamps how the
// shared limiter followed: 429s as a share of the service's requests (target < 2%), and its throughput
// over the 10 s that start 10 s after the change against the new limit (target within 10%).
import type pg from 'pg';
import type { RunningStandins, ServiceName } from '../standins/index.js';
import { round } from './numbers.js';

/** Seconds after the change that the settled window starts, and its length. */
export const SETTLED_FROM_SECONDS = 10;
export const SETTLED_FOR_SECONDS = 10;

export interface AdaptiveMeasure {
  service: ServiceName;
  fromRps: number;
  toRps: number;
  /** When the stand-in changed its limit, seconds after the clock started. */
  changedAtSeconds: number;
  /** Admitted requests per second from the service's first request to the change (the limiter at the old limit). */
  rpsBefore: number | null;
  /** Admitted requests per second over [change + 10 s, change + 20 s). */
  settledRps: number | null;
  /** False when the service's work ended before the window did: settledRps then covers less than 10 s of demand. */
  settledWindowComplete: boolean;
  /** 429s over every request to the service after the change. */
  requestsAfterChange: number;
  rateLimitedAfterChange: number;
  /** Admitted requests in each second from the clock's start. */
  admittedPerSecond: number[];
  /** The shared rate in the limiter's row (rate_limits.current_rps) at the end of each second; null = the configured rate. */
  sharedRatePerSecond: (number | null)[];
  /** Every request and 429 to the service over the whole scenario (filled in by the runner). */
  requests?: number;
  rateLimited?: number;
}

const clock = () => performance.timeOrigin + performance.now(); // the stand-ins' clock

/** Schedules the change from now (the clock's start) and samples the shared rate each second; measure() when the sessions are done. */
export function changeLimitLater(standins: RunningStandins, pool: pg.Pool, change: { service: ServiceName; afterSeconds: number; rps: number }): { measure(): AdaptiveMeasure } {
  const { service } = change;
  const startedAt = clock();
  const fromRps = standins.limits()[service].rps;
  let changedAt: number | undefined;
  const timer = setTimeout(() => {
    standins.setLimits(service, { rps: change.rps, burst: change.rps });
    changedAt = clock();
  }, change.afterSeconds * 1000);
  const rates: (number | null)[] = [];
  const sampler = setInterval(() => {
    const second = rates.length;
    rates.push(null);
    void pool.query<{ rate: number | null }>('select current_rps as rate from rate_limits where service = $1', [service]).then(
      ({ rows }) => void (rates[second] = rows[0]?.rate === undefined || rows[0].rate === null ? null : round(Number(rows[0].rate), 1)),
      () => undefined,
    );
  }, 1000);

  return {
    measure() {
      const endedAt = clock();
      clearTimeout(timer);
      clearInterval(sampler);
      const stats = standins.stats()[service];
      const admittedIn = (from: number, to: number) => stats.admittedStarts.filter((at) => at >= from && at < to).length;
      const seconds = Math.ceil((endedAt - startedAt) / 1000);
      const admittedPerSecond = Array.from({ length: seconds }, (_, s) => admittedIn(startedAt + s * 1000, startedAt + (s + 1) * 1000));
      const at = changedAt ?? endedAt;
      const from = at + SETTLED_FROM_SECONDS * 1000;
      const to = from + SETTLED_FOR_SECONDS * 1000;
      const lastAdmitted = stats.admittedStarts.reduce((a, b) => Math.max(a, b), -Infinity);
      const requestsAfterChange = stats.requestStarts.filter((t) => t >= at).length;
      const first = stats.admittedStarts.reduce((a, b) => Math.min(a, b), Infinity);
      const before = (at - first) / 1000;
      return {
        service,
        fromRps,
        toRps: change.rps,
        changedAtSeconds: round((at - startedAt) / 1000),
        rpsBefore: before > 0 ? round(admittedIn(first, at) / before, 1) : null,
        settledRps: changedAt !== undefined && endedAt > from ? round(admittedIn(from, to) / ((Math.min(to, endedAt) - from) / 1000), 1) : null,
        // The last admitted request within a second of the window's end: the service had work all through it.
        settledWindowComplete: changedAt !== undefined && lastAdmitted >= to - 1000,
        requestsAfterChange,
        rateLimitedAfterChange: requestsAfterChange - stats.admittedStarts.filter((t) => t >= at).length,
        admittedPerSecond,
        sharedRatePerSecond: rates,
      };
    },
  };
}
