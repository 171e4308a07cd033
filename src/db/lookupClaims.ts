// Single-flight lookups across sessions and workers: a show being looked up on a service is claimed
// in the database, and a session that needs the same show at the same moment waits for the stored
// outcome instead of asking the service again. A claim lasts `ttlMs` unless its holder renews it, so
// a holder that dies strands nothing: its claims expire and a waiter claims the shows itself. A holder
// that fails releases its claims, and the waiter looks the shows up itself (its own attempts, its
// own dead letters).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './index.js';
import type { LookupService } from './schema.js';

export interface SingleFlightOptions {
  /**
   * Who asks, the same across attempts (a session's chunk): a retry takes over its earlier attempt's
   * claims at once instead of waiting for them to expire (that attempt's worker died, or it timed out).
   */
  holder?: string;
  /** How long a claim lasts unrenewed; renewed every third of it while its lookups run. */
  ttlMs?: number;
  /** How often a waiter looks for the outcome. */
  pollMs?: number;
  /** Called while this call waits for shows others hold (to lend them its turn); returns what ends that. */
  whileWaiting?: (showIds: number[]) => () => void;
}

/** What another session stored for a show while we waited. */
export type StoredOutcome = 'matched' | 'not_found';

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_POLL_MS = 250;
/** The longest a waiter goes between looks. */
const MAX_POLL_MS = 1_000;

const STATUS_COLUMNS = {
  tmdb: { status: 'tmdb_status', checkedAt: 'tmdb_checked_at' },
  rt: { status: 'rt_status', checkedAt: 'rt_checked_at' },
} as const;

/** Claims the shows nobody holds (or whose claim expired); returns the ones now ours. */
async function claim(db: Db, service: LookupService, owner: string, holder: string, showIds: readonly number[], ttlMs: number): Promise<Set<number>> {
  if (showIds.length === 0) return new Set();
  // Sorted: two sessions claiming overlapping shows lock their rows in one order.
  const ids = [...new Set(showIds)].sort((a, b) => a - b);
  const { rows } = await sql<{ show_id: number }>`
    insert into lookup_claims (service, show_id, owner, expires_at)
    select ${service}::text, id, ${owner}::text, now() + ${Math.round(ttlMs)}::int * interval '1 millisecond' from unnest(${ids}::int[]) as id
    on conflict (service, show_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
    where lookup_claims.expires_at < now() or split_part(lookup_claims.owner, '#', 1) = ${holder}::text
    returning show_id`.execute(db);
  return new Set(rows.map((r) => r.show_id));
}

async function renew(db: Db, owner: string, ttlMs: number): Promise<void> {
  await sql`update lookup_claims set expires_at = now() + ${Math.round(ttlMs)}::int * interval '1 millisecond' where owner = ${owner}::text`.execute(db);
}

async function release(db: Db, service: LookupService, owner: string, showIds: readonly number[]): Promise<void> {
  if (showIds.length === 0) return;
  await db.deleteFrom('lookup_claims').where('service', '=', service).where('owner', '=', owner).where('show_id', 'in', showIds).execute();
}

/**
 * Waiters in this process by service: each looks again at once when a show it waits for is stored
 * here (a session waiting on a neighbour in the same worker), instead of at its next poll (up to 1 s).
 */
interface LocalWaiter {
  shows: Set<number>;
  wake: () => void;
}
const localWaiters: Record<LookupService, Set<LocalWaiter>> = { tmdb: new Set(), rt: new Set() };

/** Outcomes for these shows were just stored by this process. */
export function outcomesStored(service: LookupService, showIds: readonly number[]): void {
  for (const waiter of localWaiters[service]) if (showIds.some((id) => waiter.shows.has(id))) waiter.wake();
}

/** The outcomes stored for these shows since `since` (by anyone). */
async function storedSince(db: Db, service: LookupService, showIds: readonly number[], since: Date): Promise<Map<number, StoredOutcome>> {
  if (showIds.length === 0) return new Map();
  const { status, checkedAt } = STATUS_COLUMNS[service];
  const rows = await db
    .selectFrom('shows')
    .select(['id', `${status} as status`])
    .where('id', 'in', showIds)
    .where(status, 'in', ['matched', 'not_found'])
    .where(checkedAt, '>=', since)
    .execute();
  return new Map(rows.map((r) => [r.id, r.status as StoredOutcome]));
}

/**
 * Waits until each show has an outcome stored since `since` or nobody holds it any more. Returns the
 * outcomes found and the shows left without one (their holder failed or died). One query per look,
 * and the looks thin out (250 ms, then up to 1 s apart): many chunks may be waiting at once.
 */
async function waitFor(db: Db, service: LookupService, showIds: readonly number[], since: Date, pollMs: number, signal: AbortSignal) {
  const { status, checkedAt } = STATUS_COLUMNS[service];
  const outcomes = new Map<number, StoredOutcome>();
  let waiting = [...showIds];
  for (let delay = pollMs; ; delay = Math.min(delay * 2, Math.max(pollMs, MAX_POLL_MS))) {
    const rows = await db
      .selectFrom('shows')
      .select((eb) => [
        'id',
        `${status} as status`,
        sql<boolean>`${eb.ref(status)} in ('matched', 'not_found') and ${eb.ref(checkedAt)} >= ${since}`.as('settled'),
        eb
          .exists(eb.selectFrom('lookup_claims').select('show_id').where('service', '=', service).whereRef('show_id', '=', 'shows.id').where('expires_at', '>=', sql<Date>`now()`))
          .as('held'),
      ])
      .where('id', 'in', waiting)
      .execute();
    for (const row of rows) if (row.settled) outcomes.set(row.id, row.status as StoredOutcome);
    waiting = waiting.filter((id) => !outcomes.has(id));
    if (waiting.length === 0) return { outcomes, free: [] };
    // Free, yet no outcome: the holder failed or died (or stored it after its claim ran out, seen next round).
    if (!rows.some((row) => !row.settled && row.held)) return { outcomes, free: waiting };
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const waiter: LocalWaiter = { shows: new Set(waiting), wake: () => done(resolve) };
      const onAbort = () => done(() => reject(signal.reason as Error));
      const done = (settle: () => void) => {
        clearTimeout(timer);
        localWaiters[service].delete(waiter);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const timer = setTimeout(() => done(resolve), delay);
      localWaiters[service].add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Runs `lookUp` on the shows this call claims, while waiting for the outcomes of those another
 * session holds; shows whose holder gave up are claimed and looked up in a next round. Returns the
 * outcomes other sessions stored for us. `lookUp` must store each outcome (or fail the show) itself.
 */
export async function singleFlight(
  db: Db,
  service: LookupService,
  showIds: readonly number[],
  lookUp: (claimed: number[]) => Promise<void>,
  { signal, holder = randomUUID(), ttlMs = DEFAULT_TTL_MS, pollMs = DEFAULT_POLL_MS, whileWaiting }: SingleFlightOptions & { signal: AbortSignal },
): Promise<Map<number, StoredOutcome>> {
  const owner = `${holder}#${randomUUID()}`;
  // An outcome stored once we started is as good as one we would have fetched ourselves.
  const since = new Date();
  const fromOthers = new Map<number, StoredOutcome>();
  const renewal = setInterval(() => void renew(db, owner, ttlMs).catch(() => undefined), Math.max(10, Math.floor(ttlMs / 3)));
  try {
    let pending = [...showIds];
    while (pending.length > 0) {
      const mine = await claim(db, service, owner, holder, pending, ttlMs);
      // Claimed just after another session stored it and let go: nothing left to look up.
      const done = await storedSince(db, service, [...mine], since);
      for (const [id, outcome] of done) {
        fromOthers.set(id, outcome);
        mine.delete(id);
      }
      await release(db, service, owner, [...done.keys()]);
      const others = pending.filter((id) => !mine.has(id));
      // The wait stops if our own lookups fail (nothing would read what it found).
      const stop = new AbortController();
      const onAbort = () => stop.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const ours = mine.size === 0 ? Promise.resolve() : lookUp([...mine]).finally(() => release(db, service, owner, [...mine]));
      const theirs = others.length === 0 ? Promise.resolve({ outcomes: new Map<number, StoredOutcome>(), free: [] as number[] }) : waitFor(db, service, others, since, pollMs, stop.signal);
      const endWait = others.length === 0 ? undefined : whileWaiting?.(others);
      try {
        await ours.catch((error: unknown) => (stop.abort(error), Promise.reject(error)));
        const { outcomes, free } = await theirs;
        for (const [id, outcome] of outcomes) fromOthers.set(id, outcome);
        pending = free;
      } finally {
        endWait?.();
        signal.removeEventListener('abort', onAbort);
        theirs.catch(() => undefined);
      }
    }
  } finally {
    clearInterval(renewal);
  }
  return fromOthers;
}
