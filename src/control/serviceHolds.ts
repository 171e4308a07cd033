// Holding an external service for everyone ("RT is down, hold all crawling"): a row in
// service_holds that every worker's request loop honours before each request. Held work waits in
// place (its activity keeps heartbeating), so it burns no retry and dead-letters nothing; on release
// it goes on where it stopped. A flag the limiter honours rather than Temporal's activity pause:
// pause acts on one activity at a time and only between attempts, while a hold must stop every
// chunk of every session at its next request, including activities that are running now.
import type { Db } from '../db/index.js';
import { type ServiceName, sleep } from '../clients/rateLimiter.js';
import type { HoldGate } from '../clients/retry.js';

/** Services whose requests run inside heartbeating chunk activities, so they can wait out a hold. */
export const HOLDABLE_SERVICES = ['tmdb', 'rt', 'wikidata'] as const satisfies readonly ServiceName[];
export type HoldableService = (typeof HOLDABLE_SERVICES)[number];
export const isHoldable = (service: string): service is HoldableService => (HOLDABLE_SERVICES as readonly string[]).includes(service);

export interface ServiceHold {
  service: HoldableService;
  reason: string | null;
  heldBy: string;
  heldAt: string;
}

/** How often a waiting worker looks again; also how stale its view of the flags may be. */
const DEFAULT_POLL_MS = 1_000;

/** A worker's view of the holds, read at most once per poll interval however many requests ask. */
export function createHoldGate(db: Db, { pollMs = DEFAULT_POLL_MS, now = Date.now } = {}): HoldGate {
  let held = new Set<string>();
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;
  const refresh = async () => {
    if (now() - readAt < pollMs) return;
    reading ??= db
      .selectFrom('service_holds')
      .select('service')
      .execute()
      .then(
        (rows) => {
          held = new Set(rows.map((r) => r.service));
          readAt = now();
        },
        (error: unknown) => {
          // The database is out: keep the last known holds and look again next interval; the
          // request itself meets the outage (and retries) at the limiter, never here.
          readAt = now();
          console.warn('service holds unreadable; keeping the last known ones', (error as Error).message);
        },
      )
      .finally(() => (reading = undefined));
    await reading;
  };
  return {
    async isHeld(service) {
      await refresh();
      return held.has(service);
    },
    async waitWhileHeld(service, signal) {
      if (!isHoldable(service)) return;
      await refresh();
      while (held.has(service)) {
        await sleep(pollMs, signal);
        await refresh();
      }
    },
  };
}

export async function holdService(db: Db, service: HoldableService, heldBy: string, reason?: string): Promise<ServiceHold> {
  await db
    .insertInto('service_holds')
    .values({ service, held_by: heldBy, reason: reason ?? null })
    .onConflict((oc) => oc.column('service').doNothing())
    .execute();
  return (await listHolds(db)).find((h) => h.service === service)!;
}

/** Returns whether the service was held. */
export async function releaseService(db: Db, service: HoldableService): Promise<boolean> {
  const result = await db.deleteFrom('service_holds').where('service', '=', service).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listHolds(db: Db): Promise<ServiceHold[]> {
  const rows = await db.selectFrom('service_holds').selectAll().orderBy('service').execute();
  return rows.map((r) => ({ service: r.service as HoldableService, reason: r.reason, heldBy: r.held_by, heldAt: r.held_at.toISOString() }));
}
