// A site's robots.txt, fetched once per site and cached, through the shared rate limiter and with
// our own User-Agent. The crawler checks every URL here before it asks for it: a forbidden URL is
// an outcome the caller reports, never a request. (crawlee's own check would fetch robots.txt again
// for every crawler, unthrottled and under a generic agent, and drop forbidden requests silently.)
import type { RobotsTxtFile } from '@crawlee/utils';
import got from 'got';
import { TransientServiceError, isThrottleStatus, isTransientStatus, parseRetryAfter } from './errors.js';
import type { ServiceCaller } from './retry.js';
import type { ServiceName } from './rateLimiter.js';
import { ServiceErrors } from '../contracts/index.js';

export interface RobotsPolicy {
  /** Null when robots.txt allows the URL; otherwise the forbidden path, for the dead letter. */
  disallowedPath(url: string): Promise<string | null>;
}

export interface RobotsOptions {
  service: ServiceName;
  userAgent: string;
  caller: ServiceCaller;
  timeoutMs: number;
  /** How long a fetched robots.txt is trusted (RFC 9309 suggests no more than 24 h). */
  ttlMs?: number;
}

export function createRobotsPolicy({ service, userAgent, caller, timeoutMs, ttlMs = 60 * 60_000 }: RobotsOptions): RobotsPolicy {
  // One fetch per site at a time: concurrent checks share the promise; a failed fetch is dropped
  // (the next check tries again, through the limiter and the circuit breaker).
  const cache = new Map<string, { file: Promise<RobotsTxtFile | null>; fetchedAt: number }>();

  /** No caller's AbortSignal: the fetch is shared, and one cancelled activity must not fail the others. */
  async function load(origin: string): Promise<RobotsTxtFile | null> {
    const url = `${origin}/robots.txt`;
    return caller.call(
      service,
      async () => {
        const response = await got(url, {
          headers: { 'user-agent': userAgent },
          throwHttpErrors: false,
          retry: { limit: 0 },
          timeout: { request: timeoutMs },
        });
        const status = response.statusCode;
        // RFC 9309 §2.3.1: an unreachable robots.txt (5xx) means "assume everything is disallowed"
        // for now, so it is transient and retried; a missing one (4xx) allows everything.
        if (isTransientStatus(status)) {
          throw new TransientServiceError(ServiceErrors.robotsUnavailable, `${service} robots.txt answered HTTP ${status}`, parseRetryAfter(response.headers['retry-after']), isThrottleStatus(status));
        }
        if (status >= 400) return null;
        // Loaded on first use, and only crawlee's utilities: importing all of crawlee is a second of start-up.
        const { RobotsTxtFile } = await import('@crawlee/utils');
        return RobotsTxtFile.from(url, response.body);
      },
    );
  }

  return {
    async disallowedPath(url) {
      const { origin, pathname, search } = new URL(url);
      let entry = cache.get(origin);
      if (!entry || Date.now() - entry.fetchedAt > ttlMs) {
        const fresh = { file: load(origin), fetchedAt: Date.now() };
        void fresh.file.catch(() => cache.get(origin) === fresh && cache.delete(origin));
        cache.set(origin, (entry = fresh));
      }
      const file = await entry.file;
      // Groups are chosen by the product token of our User-Agent ("showprint-crawler/0.1 (…)").
      const agent = userAgent.split(/[\s/]/)[0] ?? '*';
      return file && !file.isAllowed(url, agent) ? `${pathname}${search}` : null;
    },
  };
}
