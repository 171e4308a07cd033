// A rate limiter shared by every worker process: each external service has one row holding the
// earliest time the next request may start (GCRA). Reserving a slot is one atomic UPDATE that uses
// the database clock, so many workers on many hosts together stay under the service's limit.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

export type ServiceName = 'gandalf' | 'tmdb' | 'rt' | 'openai' | 'wikidata';

export interface RateLimiter {
  /** Waits until this caller may send one request to `service`. */
  acquire(service: ServiceName, signal?: AbortSignal): Promise<void>;
  /** The service said "slow down": nobody sends before `delayMs` from now. */
  pushBack(service: ServiceName, delayMs: number): Promise<void>;
}

export function createDbRateLimiter(db: Db, ratesPerSecond: Partial<Record<ServiceName, number>>, burst = 1): RateLimiter {
  const ensured = new Set<string>();
  async function ensureRow(service: string) {
    if (ensured.has(service)) return;
    await db
      .insertInto('rate_limits')
      .values({ service, next_slot_at: new Date(0) })
      .onConflict((oc) => oc.column('service').doNothing())
      .execute();
    ensured.add(service);
  }
  return {
    async acquire(service, signal) {
      const rate = ratesPerSecond[service];
      if (!rate) return;
      await ensureRow(service);
      const intervalMs = 1000 / rate;
      // The slot starts no earlier than now minus the burst allowance; the row moves one interval on.
      const result = await sql<{ wait_ms: number }>`
        with slot as (
          select greatest(next_slot_at, clock_timestamp() - make_interval(secs => ${((burst - 1) * intervalMs) / 1000})) as starts_at
          from rate_limits where service = ${service} for update
        )
        update rate_limits set next_slot_at = (select starts_at from slot) + make_interval(secs => ${intervalMs / 1000})
        where service = ${service}
        returning greatest(0, extract(epoch from ((select starts_at from slot) - clock_timestamp())) * 1000)::float8 as wait_ms`.execute(db);
      const waitMs = Number(result.rows[0]?.wait_ms ?? 0);
      if (waitMs > 0) await sleep(waitMs, signal);
    },
    async pushBack(service, delayMs) {
      await ensureRow(service);
      await sql`update rate_limits set next_slot_at = greatest(next_slot_at, clock_timestamp() + make_interval(secs => ${delayMs / 1000}))
        where service = ${service}`.execute(db);
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
